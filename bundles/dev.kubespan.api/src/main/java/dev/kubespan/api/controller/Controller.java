package dev.kubespan.api.controller;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One reconcile body with declared inputs and outputs. The runtime runs {@link #reconcile} on
 * the controller's own thread, never twice at once: after any relevant change of an input,
 * after an external trigger, at the time the last pass asked for, and after a failure (with
 * backoff). A pass reads its inputs through the context and writes the difference; it keeps no
 * state it cannot rebuild from the store and the world, except to avoid repeating work.
 */
@ConsumerType
public interface Controller {

    /**
     * Unique among running controllers, e.g. {@code dev.kubespan.manager/peer-specs}: the owner
     * recorded on every resource it writes, and the name in its log lines and thread.
     */
    String name();

    /** What it reads; a change of any of them triggers a pass. Reading anything else is refused. */
    List<Input<?>> inputs();

    /** What it writes; the store refuses these types to anyone else (unless shared). */
    List<Output> outputs();

    /**
     * One pass. Throwing counts as a failure: it is logged once per distinct cause and the pass
     * is retried with backoff.
     */
    void reconcile(ControllerContext context) throws Exception;
}
