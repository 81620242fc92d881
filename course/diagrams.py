"""The pipeline diagram of the course, drawn as SVG: reader -> tokenizer -> token indexers -> embedder -> encoder ->
classifier, with what flows between the parts (and the tensors' shapes).

Two versions: the bag of embeddings of chapter 01, and the pretrained transformer of chapter 03.1 with the parts
that config swaps highlighted. Run `python -m course.diagrams` after editing this file; a test checks that the SVG
files in chapters/images/ are what this file draws.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import List, NamedTuple, Sequence

IMAGES = Path(__file__).resolve().parent.parent / "chapters" / "images"


class Part(NamedTuple):
    role: str          # what the part does in every pipeline: "Tokenizer"
    component: str     # which registered component fills it: 'type: "whitespace"'
    where: str         # the config key it sits at
    swapped: bool = False


class Flow(NamedTuple):
    what: str          # what travels to the next part
    shape: str         # its type or tensor shape


BAG_OF_EMBEDDINGS = (
    [Part("Dataset reader", 'type: "classification-tsv"', "dataset_reader"),
     Part("Tokenizer", 'type: "whitespace"', "dataset_reader.tokenizer"),
     Part("Token indexers", '"tokens": {type: "single_id"}', "dataset_reader.token_indexers"),
     Part("Embedder", '"tokens": {type: "embedding", embedding_dim: 64}', "model.embedder"),
     Part("Seq2Vec encoder", 'type: "bag_of_embeddings"', "model.encoder"),
     Part("Classifier", 'type: "simple_classifier" (a linear layer)', "model")],
    [Flow("text", 'str: "a gripping film"'),
     Flow("tokens", "list[Token]: [a, gripping, film]   (num_tokens)"),
     Flow("token ids, batched by the data loader", "LongTensor (batch, num_tokens)"),
     Flow("one vector per token", "FloatTensor (batch, num_tokens, 64)"),
     Flow("one vector per text", "FloatTensor (batch, encoder.get_output_dim() = 64)"),
     Flow("label scores", "logits (batch, num_labels) -> probs, loss")],
)

TRANSFORMER = (
    [Part("Dataset reader", 'type: "classification-tsv"', "dataset_reader"),
     Part("Tokenizer", 'type: "pretrained_transformer" (wordpieces)', "dataset_reader.tokenizer", True),
     Part("Token indexers", '"bert": {type: "pretrained_transformer"}', "dataset_reader.token_indexers", True),
     Part("Embedder", '"bert": {type: "pretrained_transformer"} (MiniLM)', "model.embedder", True),
     Part("Seq2Vec encoder", 'type: "mean_pooler"', "model.encoder", True),
     Part("Classifier", 'type: "simple_classifier" (a linear layer)', "model")],
    [Flow("text", 'str: "a gripping film"'),
     Flow("wordpieces", "list[Token]: [CLS] a grip ##ping film [SEP]"),
     Flow("wordpiece ids, batched", "LongTensor (batch, num_wordpieces), folded in 256s"),
     Flow("one contextual vector per wordpiece", "FloatTensor (batch, num_wordpieces, 384)"),
     Flow("one vector per text", "FloatTensor (batch, encoder.get_output_dim() = 384)"),
     Flow("label scores", "logits (batch, num_labels) -> probs, loss")],
)

WIDTH, BOX_WIDTH, BOX_HEIGHT, GAP, LEFT = 800, 400, 58, 56, 20
COLOURS = {"same": ("#eef2f7", "#5b6b7f"), "swapped": ("#fff1de", "#d9822b")}


def draw(parts: Sequence[Part], flows: Sequence[Flow], title: str, footnote: str = "") -> str:
    """-> an SVG document: one box per part, top to bottom, an arrow between each two with what flows there."""
    height = 70 + len(parts) * (BOX_HEIGHT + GAP) + (30 if footnote else 10)
    out: List[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{LEFT}" y="28" font-size="17" font-weight="bold">{escape(title)}</text>',
    ]
    if any(part.swapped for part in parts):
        out.append(f'<rect x="{LEFT}" y="40" width="14" height="14" fill="{COLOURS["swapped"][0]}" '
                   f'stroke="{COLOURS["swapped"][1]}"/><text x="{LEFT + 20}" y="52" font-size="12">swapped by the '
                   f'config (no Python changed)</text>')
    top = 70
    centre = LEFT + BOX_WIDTH // 2
    for index, (part, flow) in enumerate(zip(parts, flows)):
        fill, stroke = COLOURS["swapped" if part.swapped else "same"]
        out += [f'<rect x="{LEFT}" y="{top}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="8" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="{2 if part.swapped else 1.2}"/>',
                f'<text x="{LEFT + 12}" y="{top + 22}" font-size="15" font-weight="bold">{escape(part.role)}</text>',
                f'<text x="{LEFT + 12}" y="{top + 42}" font-size="12" font-family="Menlo, Consolas, monospace">'
                f'{escape(part.component)}</text>',
                f'<text x="{LEFT + BOX_WIDTH + 14}" y="{top + 22}" font-size="12" fill="#666">config: '
                f'{escape(part.where)}</text>']
        arrow_top, arrow_bottom = top + BOX_HEIGHT, top + BOX_HEIGHT + GAP
        if index == len(parts) - 1:
            arrow_bottom -= 20
        out += [f'<line x1="{centre}" y1="{arrow_top + 2}" x2="{centre}" y2="{arrow_bottom - 2}" stroke="#444" '
                f'stroke-width="1.5" marker-end="url(#arrow)"/>',
                f'<text x="{centre + 12}" y="{arrow_top + 20}" font-size="12">{escape(flow.what)}</text>',
                f'<text x="{centre + 12}" y="{arrow_top + 36}" font-size="12" fill="#1f4e8c" '
                f'font-family="Menlo, Consolas, monospace">{escape(flow.shape)}</text>']
        top += BOX_HEIGHT + GAP
    if footnote:
        out.append(f'<text x="{LEFT}" y="{height - 14}" font-size="12" fill="#666">{escape(footnote)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def diagrams() -> dict:
    """File name -> SVG text, for every diagram of the course."""
    return {"pipeline.svg": draw(*BAG_OF_EMBEDDINGS, "A text classifier from swappable parts"),
            "pipeline-transformer.svg": draw(*TRANSFORMER, "The same classifier with a pretrained transformer",
                                             "Also changed, outside the pipeline: trainer.optimizer (AdamW, a small "
                                             "learning rate, warm-up then decay).")}


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, svg in diagrams().items():
        (IMAGES / name).write_text(svg, encoding="utf-8")
        print(f"wrote {IMAGES / name}")


if __name__ == "__main__":
    main()
