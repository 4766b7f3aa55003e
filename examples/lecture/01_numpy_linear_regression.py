"""Task 1: linear regression f(x) = w0 + w1 x in plain NumPy.

The loss is the mean squared error L(w0, w1) = 1/n sum (y_i - (w0 + w1 x_i))^2;
we minimise it with gradient descent, computing its partial derivatives by hand.
"""
import numpy as np

rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, 100)
y = 2.0 + 3.0 * x + 0.1 * rng.standard_normal(100)   # the true line: w0 = 2, w1 = 3

w0, w1 = 0.0, 0.0
lr = 0.1
for epoch in range(500):
    error = (w0 + w1 * x) - y                # f(x_i) - y_i
    loss = (error ** 2).mean()
    grad_w0 = 2 * error.mean()               # dL/dw0
    grad_w1 = 2 * (error * x).mean()         # dL/dw1
    w0 -= lr * grad_w0                       # step against the gradient
    w1 -= lr * grad_w1
    if epoch % 100 == 0:
        print(f"epoch {epoch:3d}  loss {loss:.4f}")

print(f"w0 = {w0:.4f}, w1 = {w1:.4f}")
