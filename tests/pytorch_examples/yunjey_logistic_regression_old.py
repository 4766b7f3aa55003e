# yunjey/pytorch-tutorial (PyTorch 0.3 era): "Logistic Regression", on a small synthetic
# dataset in place of MNIST: Variable inputs, nn.CrossEntropyLoss, SGD, and the accuracy count
# through torch.max(outputs.data, 1).
import torch
import torch.nn as nn
from torch.autograd import Variable

torch.manual_seed(0)

# Hyper Parameters
input_size = 20
num_classes = 4
num_epochs = 5
batch_size = 20
learning_rate = 0.05

# a synthetic stand-in for the dataset: 4 Gaussian clusters in 20 dimensions
centers = torch.randn(num_classes, input_size) * 2
labels_all = torch.LongTensor(200).random_(0, num_classes)
images_all = centers[labels_all] + torch.randn(200, input_size)
train = [(images_all[i:i + batch_size], labels_all[i:i + batch_size]) for i in range(0, 160, batch_size)]
test = [(images_all[i:i + batch_size], labels_all[i:i + batch_size]) for i in range(160, 200, batch_size)]


# Model
class LogisticRegression(nn.Module):
    def __init__(self, input_size, num_classes):
        super(LogisticRegression, self).__init__()
        self.linear = nn.Linear(input_size, num_classes)

    def forward(self, x):
        out = self.linear(x)
        return out


model = LogisticRegression(input_size, num_classes)

# Loss and Optimizer
# Softmax is internally computed.
# Set parameters to be updated.
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

# Training the Model
for epoch in range(num_epochs):
    for i, (images, labels) in enumerate(train):
        images = Variable(images.view(-1, input_size))
        labels = Variable(labels)

        # Forward + Backward + Optimize
        optimizer.zero_grad()
        outputs = model(images)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()

        if (i + 1) % 4 == 0:
            print('Epoch: [%d/%d], Step: [%d/%d], Loss: %.4f'
                  % (epoch + 1, num_epochs, i + 1, len(train), loss.item()))

# Test the Model
correct = 0
total = 0
for images, labels in test:
    images = Variable(images.view(-1, input_size))
    outputs = model(images)
    _, predicted = torch.max(outputs.data, 1)
    total += labels.size(0)
    correct += (predicted == labels).sum().item()

print('Accuracy of the model on the test images: %d %%' % (100 * correct / total))
print(model.linear.weight.data[0], model.linear.bias.data)
