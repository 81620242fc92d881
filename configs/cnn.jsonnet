// The bag-of-embeddings config with one part swapped: a CNN encoder (n-gram filters + max-pooling).
// swapnlp train configs/cnn.jsonnet -s runs/cnn
local boe = import "bag_of_embeddings.jsonnet";
local embedding_dim = 64;

boe + {
  "model"+: {
    "encoder": {"type": "cnn", "embedding_dim": embedding_dim, "num_filters": 64, "ngram_filter_sizes": [2, 3, 4]},
    "dropout": 0.3,
  },
}
