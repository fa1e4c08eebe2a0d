# NumPy reference of data-api §5 (written from the contract's maths), used by generators.test.ts.
# stdin: [[generator, params], ...] with full validated params; stdout: per case {key: [shape, flat list]}.
import json, sys
import numpy as np


def onehot(labels, c):
    y = np.zeros((len(labels), c), np.float32)
    y[np.arange(len(labels)), labels] = 1
    return y


def spiral(p, rng):
    S, n, d = p["n_spirals"], p["n_points_per_spiral"], 1 if p["clockwise"] else -1
    R, noise, (ox, oy) = p["radius"], p["noise"], p["origin"]
    arms, labels = [], []
    for i in range(S):
        phi = 2 * np.pi * i / S
        if p["algorithm"] == "modern":
            r = np.linspace(0, R, n)
            th = np.linspace(0, 2 * np.pi * p["n_rotations"], n) + phi
            nx = rng.standard_normal(n)
            ny = rng.standard_normal(n)
            x = d * r * np.cos(th) + noise * nx + ox
            y = d * r * np.sin(th) + noise * ny + oy
        else:
            dist = np.sqrt(rng.random(n)) * R
            u1 = rng.random(n)
            u2 = rng.random(n)
            th = d * (dist + phi)
            x = np.cos(th) * dist + noise * u1 + ox
            y = np.sin(th) * dist + noise * u2 + oy
        arms.append(np.stack([x, y], axis=1).astype(np.float32))
        labels += [i] * n
    return np.vstack(arms), np.array(labels), S


def xor(p, rng):
    n, m, xr, yr = p["n_points_per_quadrant"], p["margin"], p["x_range"], p["y_range"]
    quads = [(m, xr, m, yr, 0), (-xr, -m, m, yr, 1), (-xr, -m, -yr, -m, 0), (m, xr, -yr, -m, 1)]
    pts, labels = [], []
    for x0, x1, y0, y1, c in quads:
        x = rng.uniform(x0, x1, n)
        y = rng.uniform(y0, y1, n)
        pts.append(np.stack([x, y], axis=1))
        labels += [c] * n
    X = np.vstack(pts)
    if p["noise"] > 0:
        X = X + p["noise"] * rng.standard_normal((4 * n, 2))
    return X.astype(np.float32), np.array(labels), 2


def gaussian(p, rng):
    C, n, F = p["n_classes"], p["n_samples_per_class"], p["n_features"]
    if p["centers"] is None:
        a = np.linspace(0, 2 * np.pi, C, endpoint=False)
        cen = np.zeros((C, F), np.float32)
        cen[:, 0] = p["center_radius"] * np.cos(a)
        if F > 1:
            cen[:, 1] = p["center_radius"] * np.sin(a)
    else:
        cen = np.array(p["centers"], np.float32)
    X = np.zeros((C * n, F), np.float32)
    std = p["class_std"]
    for i in range(C):
        s = (std[i] if i < len(std) else std[0]) if isinstance(std, list) else std
        X[i * n:(i + 1) * n] = rng.standard_normal((n, F)) * s + cen[i]
    if p["noise"] > 0:
        X += rng.standard_normal(X.shape).astype(np.float32) * p["noise"]
    return X, np.repeat(np.arange(C), n), C


def circles(p, rng):
    N = p["n_samples"]
    n_in = int(N * p["inner_ratio"])
    n_out = N - n_in
    ao = rng.uniform(0, 2 * np.pi, n_out)
    ai = rng.uniform(0, 2 * np.pi, n_in)
    R = p["outer_radius"]
    r = R * p["factor"]
    X = np.vstack([np.stack([R * np.cos(ao), R * np.sin(ao)], 1), np.stack([r * np.cos(ai), r * np.sin(ai)], 1)])
    if p["noise"] > 0:
        X = X + p["noise"] * rng.standard_normal((N, 2))
    return X.astype(np.float32), np.array([0] * n_out + [1] * n_in), 2


def moon(p, rng):
    N = p["n_samples"]
    nu = N // 2
    nl = N - nu
    a = np.linspace(0, np.pi, nu)
    b = np.linspace(0, np.pi, nl)
    X = np.vstack([np.stack([np.cos(a), np.sin(a)], 1), np.stack([1 - np.cos(b), 0.5 - np.sin(b)], 1)])
    if p["noise"] > 0:
        X = X + p["noise"] * rng.standard_normal((N, 2))
    return X.astype(np.float32), np.array([0] * nu + [1] * nl), 2


def checkerboard(p, rng):
    N, k = p["n_samples"], p["n_squares"]
    (x0, x1), (y0, y1) = p["x_range"], p["y_range"]
    x = rng.uniform(x0, x1, N)
    y = rng.uniform(y0, y1, N)
    ix = np.clip(np.floor((x - x0) / ((x1 - x0) / k)), 0, k - 1).astype(int)
    iy = np.clip(np.floor((y - y0) / ((y1 - y0) / k)), 0, k - 1).astype(int)
    X = np.stack([x, y], 1)
    if p["noise"] > 0:
        X = X + p["noise"] * rng.standard_normal((N, 2))
    return X.astype(np.float32), (ix + iy) % 2, 2


def split(X, Y, p):
    N = len(X)
    if p["shuffle"]:
        perm = np.random.default_rng(p["seed"]).permutation(N)
        Xs, Ys = X[perm], Y[perm]
    else:
        Xs, Ys = X, Y
    ntr, nva, nte = round(N * p["train_ratio"]), round(N * p.get("val_ratio", 0.0)), round(N * p["test_ratio"])
    ex = ntr + nva + nte - N
    if ex > 0:
        t = min(ex, nte)
        nte -= t
        nva -= min(ex - t, nva)
    return {
        "X_train": Xs[:ntr], "y_train": Ys[:ntr], "X_test": Xs[ntr + nva:ntr + nva + nte],
        "y_test": Ys[ntr + nva:ntr + nva + nte], "X_full": X, "y_full": Y,
        "X_val": Xs[ntr:ntr + nva], "y_val": Ys[ntr:ntr + nva],
    }


GEN = dict(spiral=spiral, xor=xor, gaussian=gaussian, circles=circles, moon=moon, checkerboard=checkerboard)
out = []
for name, p in json.load(sys.stdin):
    X, labels, C = GEN[name](p, np.random.default_rng(p["seed"]))
    arrays = split(X, onehot(labels, C), p)
    out.append({k: [list(v.shape), v.astype(np.float32).ravel().tolist()] for k, v in arrays.items()})
print(json.dumps(out))
