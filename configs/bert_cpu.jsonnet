// configs/bert.jsonnet for a CPU without bf16 units (most laptops): fine-tune only the top 2 of MiniLM's 6
// layers, and compute the 4 frozen ones once per review instead of once per epoch.
//   bert.jsonnet on a 2-core AVX2 laptop: ~75-80 minutes (fp32; every layer trained for 4 epochs).
//   this recipe: see benchmarks/README.md ("A transformer recipe for CPUs without bf16") for time and accuracy.
// What changes, and why:
//   train_layers 2:          the embeddings and layers 1-4 get no gradient: a step runs backward through 2 layers
//   cache_frozen_layers:     layer 4's output for every segment is kept (float16) and reused in every epoch
//   lr 1e-4, 3 epochs:       fewer weights move, so they may move faster; one epoch less
// Train: swapnlp train configs/bert_cpu.jsonnet -s runs/bert_cpu
local bert = import "bert.jsonnet";

bert + {
  "model"+: {"embedder"+: {"token_embedders"+: {"bert"+: {"train_layers": 2, "cache_frozen_layers": true}}}},
  "trainer"+: {"optimizer"+: {"lr": 1e-4}, "num_epochs": 3},
}
