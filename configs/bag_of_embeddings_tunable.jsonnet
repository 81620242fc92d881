// The bag-of-embeddings config, with its hyperparameters left open for `swapnlp tune`.
// Jsonnet's std.extVar has no default, so this tune-ready copy reads every tuned value from an external
// variable, and the tuner passes each variable of the search space (as JSON text: std.parseJson turns
// "0.003" into the number 0.003). The search space is configs/bag_of_embeddings_search.json.
//
// Tune:   swapnlp tune configs/bag_of_embeddings_tunable.jsonnet --search configs/bag_of_embeddings_search.json \
//           --trials 6 -s runs/tune_boe
// Train one setting by hand (environment variables are external variables too):
//         lr=0.003 embedding_dim=64 dropout=0.0 min_count=2 \
//           swapnlp train configs/bag_of_embeddings_tunable.jsonnet -s runs/boe_by_hand
local boe = import "bag_of_embeddings.jsonnet";
local hp(name) = std.parseJson(std.extVar(name));
local embedding_dim = hp("embedding_dim");

boe + {
  "vocabulary": {"min_count": {"tokens": hp("min_count")}},
  "model"+: {
    "embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": embedding_dim}}},
    "encoder"+: {"embedding_dim": embedding_dim},
    "dropout": hp("dropout"),
  },
  "trainer"+: {"optimizer"+: {"lr": hp("lr")}},
}
