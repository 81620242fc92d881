from swapnlp.data.fields.field import Field
from swapnlp.data.fields.label_field import LabelField
from swapnlp.data.fields.text_field import TextField, TextFieldTensors

__all__ = ["Field", "LabelField", "TextField", "TextFieldTensors"]
