package dev.kubespan.manager.internal;

import java.time.Duration;

/** One reconcile body: reads its inputs, writes the difference, and says when to run again. */
interface Controller {
    void reconcile();

    /** How long until the next periodic run. */
    Duration tickInterval();
}
