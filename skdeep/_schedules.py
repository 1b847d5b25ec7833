"""Learning-rate schedules, applied at the end of each epoch, and the object that
applies them to an optimizer."""


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


class LearningRateSchedule:
    """An optimizer's learning rate, epoch after epoch: the schedule named by
    ``learning_rate``, and the 'adaptive' schedule's division by 5 when training
    stalls.

    Parameters
    ----------
    optimizer : an optimizer of ``_optimizers.OPTIMIZERS``
        Its ``learning_rate`` attribute is set.
    name : str
        A key of SCHEDULES.
    learning_rate_init : float
    power_t, decay_rate : float
    decay_steps : int
    """

    def __init__(self, optimizer, name, learning_rate_init, *, power_t, decay_rate, decay_steps):
        self.optimizer, self.name, self.learning_rate_init = optimizer, name, learning_rate_init
        self.power_t, self.decay_rate, self.decay_steps = power_t, decay_rate, decay_steps

    @property
    def rate(self):
        return self.optimizer.learning_rate

    def step(self, samples_seen, epoch):
        """Set the rate of the next epoch, after ``epoch`` epochs and ``samples_seen``
        samples in all."""
        self.optimizer.learning_rate = SCHEDULES[self.name](
            self.learning_rate_init,
            current=self.optimizer.learning_rate,
            power_t=self.power_t,
            samples_seen=samples_seen,
            decay_rate=self.decay_rate,
            decay_steps=self.decay_steps,
            epoch=epoch,
        )

    @property
    def adaptive(self):
        """Whether a stall slows the rate down rather than stopping training."""
        return self.name == "adaptive"

    def slow_down(self):
        """sklearn's answer to a stall under learning_rate='adaptive': divide the rate
        by 5 and return True, or return False (stop) once it is at most 1e-6."""
        if self.optimizer.learning_rate <= 1e-6:
            return False
        self.optimizer.learning_rate /= 5.0
        return True
