from swapnlp.data.data_loaders.data_loader import DataLoader
from swapnlp.data.data_loaders.simple_data_loader import SimpleDataLoader

__all__ = ["DataLoader", "SimpleDataLoader"]
