"""`python -m skdeep`: a short demo on sklearn's digits."""

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    model = make_pipeline(StandardScaler(), MLPClassifier((64,), max_iter=60, random_state=0))
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    print(f"skdeep MLPClassifier on digits ({len(X_train)} train, {len(X_test)} test)")
    print(f"train accuracy {model.score(X_train, y_train):.3f}")
    print(f"test accuracy  {model.score(X_test, y_test):.3f}")
    print(f"{model[-1].n_iter_} epochs in {seconds:.2f} s")


if __name__ == "__main__":
    main()
