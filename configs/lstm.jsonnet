// The bag-of-embeddings config with one part swapped: a bidirectional LSTM encoder.
// Long reviews (~750 tokens) are cut to their last 256 tokens (where reviewers tend to give their verdict),
// to keep an epoch short on a laptop. An LSTM learnt from scratch on 1,100 reviews overfits quickly, hence
// the small hidden size, the rarer words dropped from the vocabulary, the lower learning rate and dropout.
// swapnlp train configs/lstm.jsonnet -s runs/lstm
local boe = import "bag_of_embeddings.jsonnet";
local embedding_dim = 64;

boe + {
  "dataset_reader"+: {"max_tokens": 256, "truncation": "tail"},
  "vocabulary": {"min_count": {"tokens": 3}},
  "model"+: {
    "encoder": {"type": "lstm", "embedding_dim": embedding_dim, "hidden_size": 32, "bidirectional": true},
    "dropout": 0.5,
  },
  "trainer"+: {"optimizer"+: {"lr": 0.001}, "num_epochs": 10, "patience": 3},
}
