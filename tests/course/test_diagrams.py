"""The pipeline diagrams in chapters/images/ are what course/diagrams.py draws, and say what the course teaches."""

import xml.etree.ElementTree as ElementTree

from course import diagrams

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list:
    return [element.text for element in ElementTree.fromstring(svg).iter(f"{SVG}text")]


def test_the_stored_svg_files_are_current():
    for name, svg in diagrams.diagrams().items():
        stored = (diagrams.IMAGES / name).read_text(encoding="utf-8")
        assert stored == svg, f"chapters/images/{name} is out of date: run `python -m course.diagrams`"


def test_each_diagram_names_the_six_parts_in_order_with_the_shapes_between_them():
    for svg in diagrams.diagrams().values():
        words = texts(svg)
        roles = [w for w in words if w in {p.role for p in diagrams.BAG_OF_EMBEDDINGS[0]}]
        assert roles == ["Dataset reader", "Tokenizer", "Token indexers", "Embedder", "Seq2Vec encoder", "Classifier"]
        assert any("(batch, num_" in w and "Tensor" in w for w in words)
        assert any("get_output_dim()" in w for w in words)


def test_only_the_transformer_diagram_highlights_swapped_parts():
    plain, transformer = diagrams.diagrams()["pipeline.svg"], diagrams.diagrams()["pipeline-transformer.svg"]
    swapped_stroke = diagrams.COLOURS["swapped"][1]
    assert swapped_stroke not in plain
    # legend + the tokenizer, indexers, embedder and encoder
    assert transformer.count(f'stroke="{swapped_stroke}"') == 1 + 4
    assert "mean_pooler" in transformer and "bag_of_embeddings" in plain


def test_a_part_marked_swapped_is_drawn_differently():
    part = diagrams.Part("Encoder", 'type: "lstm"', "model.encoder", swapped=True)
    flow = diagrams.Flow("vector", "(batch, 8)")
    assert diagrams.COLOURS["swapped"][0] in diagrams.draw([part], [flow], "t")
    assert diagrams.COLOURS["swapped"][0] not in diagrams.draw([part._replace(swapped=False)], [flow], "t")
