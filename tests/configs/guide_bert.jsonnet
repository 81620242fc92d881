// The BERT config of AllenNLP's guide ("Next steps"), as a learner would copy it: the older `iterator`
// key, `max_tokens` on the reader, bert_pooler over the transformer. Only bert_model and the data paths are
// changed by the test (which passes them as external variables).
local bert_model = std.extVar("BERT_MODEL");
local data_dir = std.extVar("DATA_DIR");

{
    "dataset_reader" : {
        "type": "classification-tsv",
        "tokenizer": {
            "type": "pretrained_transformer",
            "model_name": bert_model,
        },
        "token_indexers": {
            "bert": {
                "type": "pretrained_transformer",
                "model_name": bert_model,
            }
        },
        "max_tokens": 512
    },
    "train_data_path": data_dir + "/train.tsv",
    "validation_data_path": data_dir + "/dev.tsv",
    "model": {
        "type": "simple_classifier",
        "embedder": {
            "token_embedders": {
                "bert": {
                    "type": "pretrained_transformer",
                    "model_name": bert_model
                }
            }
        },
        "encoder": {
            "type": "bert_pooler",
            "pretrained_model": bert_model,
            "requires_grad": true
        }
    },
    "iterator": {
        "type": "basic",
        "batch_size": 8
    },
    "trainer": {
        "optimizer": {
            "type": "huggingface_adamw",
            "lr": 1.0e-5
        },
        "num_epochs": 1,
        "cuda_device": -1
    }
}
