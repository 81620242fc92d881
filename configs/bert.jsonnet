// Movie-review sentiment with a pretrained transformer: the bag-of-embeddings config with four changes.
//   1. the reader's tokenizer: wordpieces of the pretrained model (its [CLS] ... [SEP] included)
//   2. the reader's token indexers: the model's own vocabulary ids
//   3. the model's embedder and encoder: the pretrained transformer, its vectors averaged
//   4. the optimizer and its schedule: AdamW with a small learning rate, warm-up then decay, 4 epochs
// Everything else (data, model class, data loader, the rest of the trainer) is configs/bag_of_embeddings.jsonnet.
// Train:    swapnlp train configs/bert.jsonnet -s runs/bert   (~16.5 minutes on 2 CPU cores with bf16 units,
//           37-56 s on a GPU: add -o '{"trainer": {"cuda_device": 0}}'; on a CPU without bf16 units, e.g. most
//           laptops, over an hour: configs/bert_cpu.jsonnet is the recipe for those)
// Another architecture: change only model_name, e.g. "mpnet" (after `make models-mpnet`) or a folder.
local data_dir = "data/movie_review/";
local model_name = "sentence-transformers/all-MiniLM-L6-v2";  // packaged with the course: "minilm" for short
// A review is ~840 wordpieces, longer than the model reads at once. Folding: the indexer cuts the whole
// review into segments of 256 wordpieces (each with its own [CLS] ... [SEP]), the embedder runs the model on
// every segment and joins the vectors back into one sequence, so the pooler averages over the whole review.
// (Keeping only the last 512 wordpieces is 2x faster; in the GPU sweep it was 2.4 points worse at 3 epochs and
// 0.8 at 4, within the seeds' noise: benchmarks/README.md.)
local segment_length = 256;

{
  "dataset_reader": {
    "type": "classification-tsv",
    "tokenizer": {"type": "pretrained_transformer", "model_name": model_name},  // every wordpiece, no cut
    "token_indexers": {"bert": {"type": "pretrained_transformer", "model_name": model_name,
                                "max_length": segment_length}},
  },
  "train_data_path": data_dir + "train.tsv",
  "validation_data_path": data_dir + "dev.tsv",
  "test_data_path": data_dir + "test.tsv",
  "vocabulary": {"min_count": {"tokens": 2}},
  "model": {
    "type": "simple_classifier",
    // attention_dropout 0: PyTorch's fused attention kernel instead of the slow one dropout needs (1.5x faster
    // at 256-wordpiece segments, 3x at 512)
    "embedder": {"token_embedders": {"bert": {"type": "pretrained_transformer", "model_name": model_name,
                                              "max_length": segment_length, "attention_dropout": 0.0}}},
    // all-MiniLM-L6-v2 was trained to be read by averaging its vectors, so we average them ("bert_pooler"
    // would take the [CLS] vector instead); the pooler takes its size from the model
    "encoder": {"type": "mean_pooler", "model_name": model_name},
  },
  "data_loader": {"batch_size": 16, "shuffle": true, "bucket": true},
  "trainer": {
    // the transformer moves slowly (5e-5); the new classification layer starts from random, so it gets 1e-3
    "optimizer": {"type": "huggingface_adamw", "lr": 5e-5, "weight_decay": 0.01,
                  "parameter_groups": [[["^classifier\\."], {"lr": 1e-3}]]},
    "learning_rate_scheduler": {"type": "linear_with_warmup", "warmup_proportion": 0.1},
    "num_epochs": 4,
    "patience": 4,
    "validation_metric": "+accuracy",
    "autocast": "auto",  // bf16 matrix products where the CPU/GPU has bf16 units, fp32 elsewhere (weights stay fp32)
  },
}
