package io.lunport.iscsi.target;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every target the server offers and every portal it listens on: what discovery reports
 * and what a login looks up. Safe to read from any event loop.
 */
public final class TargetRegistry {

    private final Map<String, IscsiTarget> targets = new ConcurrentHashMap<>();
    private final List<Portal> portals = new CopyOnWriteArrayList<>();
    private volatile ChapCredentials discoveryChap;

    public void add(IscsiTarget target) {
        if (targets.putIfAbsent(target.name(), target) != null) {
            throw new IllegalArgumentException("target " + target.name() + " is defined twice");
        }
    }

    /** Takes a target out (a reload): no new login or discovery finds it. Returns it, or null. */
    public IscsiTarget remove(String name) {
        return targets.remove(name);
    }

    /** Puts a new definition of a present target in place (new login rules, same device). */
    public void replace(IscsiTarget target) {
        if (targets.replace(target.name(), target) == null) {
            throw new IllegalArgumentException("no target " + target.name() + " to replace");
        }
    }

    public IscsiTarget find(String name) {
        return targets.get(name);
    }

    public Collection<IscsiTarget> targets() {
        return targets.values();
    }

    public void addPortal(Portal portal) {
        portals.add(portal);
    }

    public List<Portal> portals() {
        return portals;
    }

    /** CHAP for discovery sessions, or null for none. */
    public ChapCredentials discoveryChap() {
        return discoveryChap;
    }

    public void setDiscoveryChap(ChapCredentials chap) {
        this.discoveryChap = chap;
    }
}
