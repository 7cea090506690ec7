/**
 * The controller runtime: a {@link dev.kubespan.api.controller.Controller} declares the resource
 * types it reads and writes, and a {@link dev.kubespan.api.controller.ControllerRuntime} runs it
 * (coalesced triggers, a bootstrap gate, deadline wake-ups, retry with backoff, failures logged
 * once per cause, a stop that waits for a running pass), the Java counterpart of Talos'
 * controller contract.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.kubespan.api.controller;
