"""validation.py: each component is built with the real from_params; its message is the problem shown."""

from __future__ import annotations

from swapnlp.configure.choices import ConfigChoices
from swapnlp.configure.validation import build, find_problems


def test_a_bad_value_is_reported_where_it_is_by_from_params():
    choices = ConfigChoices.starter()
    choices.set("data_loader.batch_size", 0)
    assert find_problems(choices.root) == {"data_loader": "data_loader.batch_size must be at least 1, got 0."}


def test_a_constructor_check_is_reported():
    choices = ConfigChoices.starter()
    choices.choose("model.encoder", "transformer")
    choices.set("model.encoder.num_attention_heads", 5)  # 64 is not divisible by 5
    problems = find_problems(choices.root)
    assert list(problems) == ["model.encoder"]  # the model, above it, waits for its parts
    assert "must be divisible by num_attention_heads" in problems["model.encoder"]


def test_the_trainer_builds_its_optimizer_and_scheduler():
    choices = ConfigChoices.starter()
    choices.choose("trainer.learning_rate_scheduler", "linear_with_warmup")
    choices.set("trainer.learning_rate_scheduler.warmup_steps", 1)
    choices.set("trainer.learning_rate_scheduler.warmup_proportion", 0.5)
    problems = find_problems(choices.root)
    assert "give warmup_steps or warmup_proportion, not both" in problems["trainer.learning_rate_scheduler"]
    choices.unset("trainer.learning_rate_scheduler.warmup_steps")
    choices.set("trainer.validation_metric", "accuracy")
    assert 'must start with "+"' in find_problems(choices.root)["trainer"]


def test_built_components_are_real_and_remembered():
    choices = ConfigChoices.starter()
    slot = choices.slot("model")
    model, problem = build(slot)
    assert problem == "" and type(model).__name__ == "SimpleClassifier"
    assert model.encoder.get_input_dim() == 64
    again, _ = build(slot)
    assert again is model  # cached: re-checking after every keystroke stays cheap
