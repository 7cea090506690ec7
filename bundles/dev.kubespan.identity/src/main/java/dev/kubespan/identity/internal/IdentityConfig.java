package dev.kubespan.identity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of PID {@code dev.kubespan.identity}, shared by both identity components. */
@ObjectClassDefinition(id = IdentityConfig.PID, name = "KubeSpan identity",
        description = "Where the node ID and the KubeSpan key pair are kept, and which link's MAC forms the KubeSpan address.")
public @interface IdentityConfig {
    String PID = "dev.kubespan.identity";

    @AttributeDefinition(name = "State directory", required = false,
            description = "Directory of node-identity.yaml and kubespan-identity.yaml (created 0700). Empty: framework "
                    + "property kubespan.state.dir, else ${kubespan.home}/data/state, else data/state.")
    String state_dir() default "";

    @AttributeDefinition(name = "MAC interface", required = false,
            description = "Link whose hardware address (EUI-48 or EUI-64) forms the KubeSpan address. Empty: the first "
                    + "physical Ethernet link by name, else the first Ethernet-type link with a unicast MAC (never lo).")
    String mac_interface() default "";
}
