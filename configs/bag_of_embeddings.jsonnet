// Movie-review sentiment with a bag of embeddings: each review becomes the average of its word vectors.
// Train:    swapnlp train configs/bag_of_embeddings.jsonnet -s runs/boe
// Evaluate: swapnlp evaluate runs/boe/model.tar.gz data/movie_review/test.tsv
local data_dir = "data/movie_review/";
local embedding_dim = 64;

{
  "dataset_reader": {
    "type": "classification-tsv",
    "tokenizer": {"type": "whitespace"},
    "token_indexers": {"tokens": {"type": "single_id"}},
  },
  "train_data_path": data_dir + "train.tsv",
  "validation_data_path": data_dir + "dev.tsv",
  "test_data_path": data_dir + "test.tsv",
  "vocabulary": {"min_count": {"tokens": 2}},
  "model": {
    "type": "simple_classifier",
    "embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": embedding_dim}}},
    "encoder": {"type": "bag_of_embeddings", "embedding_dim": embedding_dim, "averaged": true},
  },
  "data_loader": {"batch_size": 16, "shuffle": true, "bucket": true},
  "trainer": {
    "optimizer": {"type": "adam", "lr": 0.003},
    "num_epochs": 20,
    "patience": 4,
    "validation_metric": "+accuracy",
    "autocast": "auto",  // bf16 matrix products where the CPU/GPU has bf16 units, fp32 elsewhere (weights stay fp32)
  },
}
