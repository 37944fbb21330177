"""The workers' prefork pool: Celery's, with one warm child to spare and children replaced as soon as they exit.

Each run gets a fresh child (max tasks per child 1), so its memory goes back when it exits. With Celery's pool the
next run waits for that child's replacement: the fork and the child's start, and up to the pool's 5 s maintenance
timer when the replacement is not forked at once. Here the pool keeps one child more than the worker's concurrency:
a run goes to the spare, already started, while the child it replaces exits and its own replacement is forked. The
worker still runs at most its concurrency of tasks at once: its semaphore and its prefetch count only those.
"""

from billiard import pool as billiard_pool
from celery.concurrency import asynpool, prefork

SPARE_CHILDREN = 1
EXIT_WAIT_SECONDS = 0.5

# A child that has run its task waits until the parent has read the result before it exits, checking every 0.1 s;
# every 5 ms it exits (and is replaced) that much sooner. It still gives up after 30 s, as before.
billiard_pool.GUARANTEE_MESSAGE_CONSUMPTION_RETRY_INTERVAL = 0.005
billiard_pool.GUARANTEE_MESSAGE_CONSUMPTION_RETRY_LIMIT = 6000


class PromptlyReplacingAsynPool(asynpool.AsynPool):
    def on_job_ready(self, job, i, obj, inqW_fd):
        # A child that has run its only task is about to exit: marked idle, it could be handed the next task, which
        # would wait for its exit to be sent again. It stays marked busy until it is gone; the spare takes the task.
        if self._maxtasksperchild != 1:
            super().on_job_ready(job, i, obj, inqW_fd)

    def _event_process_exit(self, hub, proc):
        # Called when the child's exit pipe is readable. The pipe closes a moment before the kernel lets the parent
        # reap the child; looked for in between, the child is not found exited, and its replacement waits for the
        # 5 s timer. So the child is reaped first: the wait returns as soon as it has exited. It is bounded: should
        # the event loop call this for a child that is not exiting (an event left for a descriptor closed and
        # reused while the broker connection was lost and rebuilt), an unbounded wait would block the whole worker.
        proc.join(timeout=EXIT_WAIT_SECONDS)
        super()._event_process_exit(hub, proc)


class TaskPool(prefork.TaskPool):
    Pool = PromptlyReplacingAsynPool

    def on_start(self):
        # Only the event-loop pool (Redis) gets the spare: the blocking pool (the filesystem transport) limits its
        # tasks by its number of children, and replaces them from a thread every 0.8 s anyway.
        spare = 0 if self.options.get("threads", True) else SPARE_CHILDREN
        self.limit += spare
        try:
            super().on_start()
        finally:
            self.limit -= spare

    @property
    def num_processes(self) -> int:
        """What the worker prefetches for: its concurrency, not the spare."""
        return self.limit
