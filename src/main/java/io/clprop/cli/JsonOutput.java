package io.clprop.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.clprop.util.AtomicFiles;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --json FILE}: a command's results also written as JSON, checked writable before any work. */
final class JsonOutput {
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path file;

    boolean wanted() {
        return file != null;
    }

    /** Fails before the command's work if the file could not be written after it. */
    void checkWritable() {
        if (file != null) {
            AtomicFiles.checkWritable(file, "--json");
        }
    }

    /** Writes {@code root}, pretty-printed, atomically. */
    void write(JsonObject root) {
        AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n");
    }
}
