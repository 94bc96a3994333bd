package io.clprop.cli;

import io.clprop.backend.Backend;

import java.util.List;

/** The devices a command opened from one --device value, closed together. */
final class OpenDevices implements AutoCloseable {
    private final List<Backend> backends;

    OpenDevices(List<Backend> backends) {
        this.backends = List.copyOf(backends);
    }

    List<Backend> all() {
        return backends;
    }

    Backend first() {
        return backends.get(0);
    }

    int count() {
        return backends.size();
    }

    /** One device's description, or "N devices: a; b; …". */
    String description() {
        if (backends.size() == 1) {
            return first().description();
        }
        StringBuilder sb = new StringBuilder(backends.size() + " devices: ");
        for (int i = 0; i < backends.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(backends.get(i).description());
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (Backend b : backends) {
            b.close();
        }
    }
}
