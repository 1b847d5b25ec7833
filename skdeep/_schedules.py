"""Learning-rate schedules, applied at the end of each epoch."""


def constant(learning_rate_init, **state):
    """lr = learning_rate_init."""
    return learning_rate_init


def invscaling(learning_rate_init, *, power_t, samples_seen, **state):
    """sklearn's: lr = learning_rate_init / (samples_seen + 1) ** power_t."""
    return learning_rate_init / (samples_seen + 1) ** power_t


def adaptive(learning_rate_init, *, current, **state):
    """sklearn's: keep the current rate, which the stopping rule divides by 5 each
    time the loss (or validation score) stalls for n_iter_no_change epochs."""
    return current


def inverse_time(learning_rate_init, *, decay_rate, decay_steps, epoch, **state):
    """The course's decay: lr = lr0 / (1 + decay_rate * floor(epoch / decay_steps)).

    ``epoch`` counts the epochs completed, so the first epoch runs at lr0.
    """
    return learning_rate_init / (1.0 + decay_rate * (epoch // decay_steps))


def exponential(learning_rate_init, *, decay_rate, decay_steps, epoch, **state):
    """The course's exponential decay: lr = lr0 * decay_rate ** floor(epoch / decay_steps).

    A staircase, like inverse_time: the rate is multiplied by decay_rate once every
    decay_steps epochs (with decay_steps=1, the course's lr0 * decay_rate ** epoch).
    """
    return learning_rate_init * decay_rate ** (epoch // decay_steps)


#: learning_rate option -> schedule(learning_rate_init, **state) -> lr, where state
#: is power_t, samples_seen, decay_rate, decay_steps, epoch and the current rate.
SCHEDULES = {
    "constant": constant,
    "invscaling": invscaling,
    "adaptive": adaptive,
    "inverse_time": inverse_time,
    "exponential": exponential,
}
