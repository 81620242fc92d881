// Movie-review sentiment with a pretrained transformer: the bag-of-embeddings config with four changes.
//   1. the reader's tokenizer: wordpieces of the pretrained model (its [CLS] ... [SEP] included)
//   2. the reader's token indexers: the model's own vocabulary ids
//   3. the model's embedder and encoder: the pretrained transformer, pooled by its [CLS] vector
//   4. the optimizer: AdamW with a small learning rate, as fine-tuning needs
// Everything else (data, model class, data loader, trainer) is the same as configs/bag_of_embeddings.jsonnet.
// Train:    swapnlp train configs/bert.jsonnet -s runs/bert
// Another architecture: change only model_name, e.g. "mpnet" (after `make models-mpnet`) or a folder.
local data_dir = "data/movie_review/";
local model_name = "sentence-transformers/all-MiniLM-L6-v2";  // packaged with the course: "minilm" for short
// A review is ~1,000 wordpieces; the first and last 128 of each (the verdict is often at the end) keep an
// epoch at ~1.5 minutes on a 2-core laptop. See chapters/03.1 for folding whole reviews (max_length).
local max_length = 256;

{
  "dataset_reader": {
    "type": "classification-tsv",
    "tokenizer": {"type": "pretrained_transformer", "model_name": model_name, "max_length": max_length,
                  "truncation": "head+tail"},
    "token_indexers": {"bert": {"type": "pretrained_transformer", "model_name": model_name}},
  },
  "train_data_path": data_dir + "train.tsv",
  "validation_data_path": data_dir + "dev.tsv",
  "test_data_path": data_dir + "test.tsv",
  "vocabulary": {"min_count": {"tokens": 2}},
  "model": {
    "type": "simple_classifier",
    "embedder": {"token_embedders": {"bert": {"type": "pretrained_transformer", "model_name": model_name}}},
    "encoder": {"type": "bert_pooler", "pretrained_model": model_name},
  },
  "data_loader": {"batch_size": 16, "shuffle": true, "bucket": true},
  "trainer": {
    "optimizer": {"type": "huggingface_adamw", "lr": 5e-5, "weight_decay": 0.01},
    "num_epochs": 20,
    "patience": 4,
    "validation_metric": "+accuracy",
    "autocast": "bf16",  // matrix products in bfloat16 where the CPU/GPU has bf16 units (weights stay fp32)
  },
}
