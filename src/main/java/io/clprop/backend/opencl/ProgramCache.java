package io.clprop.backend.opencl;

import io.clprop.util.UserError;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_program;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.jocl.CL.*;

/**
 * One OpenCL context per device (or per set of devices of one platform that train together, see
 * {@link #forDevice(ClDevice, List)}) and each program built once per JVM for each device, shared by every
 * backend opened on that device in that context. PoCL compiles kernels with LLVM, which costs seconds per program on 2 cores, so backends that come
 * and go (tests, a soak of trainers) must not rebuild. The context and programs live until the JVM ends;
 * everything a backend creates per use (queue, kernels, buffers) it releases in close(). Across JVMs, PoCL's
 * own binary cache (POCL_CACHE_DIR) makes the first build fast.
 */
public final class ProgramCache {
    /** By the device numbers of the context's devices. */
    private static final Map<List<Integer>, cl_context> CONTEXTS = new HashMap<>();
    /** By the context's device numbers and the device's. */
    private static final Map<List<Object>, ProgramCache> PER_DEVICE = new HashMap<>();

    private final ClDevice device;
    private final cl_context context;
    private final Map<String, cl_program> programs = new HashMap<>();

    private ProgramCache(ClDevice device, cl_context context) {
        this.device = device;
        this.context = context;
    }

    /** The device's own context (holding it alone). */
    public static ProgramCache forDevice(ClDevice device) {
        return forDevice(device, List.of(device));
    }

    /**
     * The device in one context with {@code sharing} (which holds it; all of one platform): buffers of every
     * backend in that context can be read by each device's kernels and copied between them without the host.
     */
    public static synchronized ProgramCache forDevice(ClDevice device, List<ClDevice> sharing) {
        List<Integer> indices = sharing.stream().map(ClDevice::index).toList();
        if (!indices.contains(device.index())) {
            throw new IllegalArgumentException(device.summary() + " is not among " + indices);
        }
        for (ClDevice d : sharing) {
            if (!d.platform().equals(device.platform())) {
                throw new IllegalArgumentException("a context holds devices of one platform: " + d.summary() + " and "
                        + device.summary());
            }
        }
        cl_context context = CONTEXTS.computeIfAbsent(indices, k -> {
            cl_device_id[] ids = sharing.stream().map(ClDevice::device).toArray(cl_device_id[]::new);
            cl_context c = clCreateContext(null, ids.length, ids, null, null, null);
            ClObjectCounts.created(ClObjectCounts.Kind.CONTEXT);
            return c;
        });
        return PER_DEVICE.computeIfAbsent(List.of(indices, device.index()), k -> new ProgramCache(device, context));
    }

    public cl_context context() {
        return context;
    }

    /**
     * Shared functions that some kernel files use, built in front of them (OpenCL C cannot include files
     * from the jar).
     */
    private static final Map<String, List<String>> HEADERS = Map.of(
            "gemm.cl", List.of("activation_functions.clh"),
            "gemm_tiled.cl", List.of("activation_functions.clh"),
            "activation.cl", List.of("activation_functions.clh"),
            "conv.cl", List.of("windows.clh"),
            "pool.cl", List.of("windows.clh", "activation_functions.clh"));

    /** The program built from {@code kernels/<file>} with these options, building it on first use. */
    public synchronized cl_program program(String file, String options) {
        String key = file + "|" + options;
        cl_program p = programs.get(key);
        if (p == null) {
            p = build(file, options);
            programs.put(key, p);
        }
        return p;
    }

    private cl_program build(String file, String options) {
        List<String> parts = new ArrayList<>(HEADERS.getOrDefault(file, List.of()));
        parts.add(file);
        String[] sources = new String[parts.size()];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = loadSource(parts.get(i));
        }
        cl_program p = clCreateProgramWithSource(context, sources.length, sources, null, null);
        ClObjectCounts.created(ClObjectCounts.Kind.PROGRAM);
        try {
            clBuildProgram(p, 1, new cl_device_id[]{device.device()}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            clReleaseProgram(p);
            ClObjectCounts.released(ClObjectCounts.Kind.PROGRAM);
            // JOCL's message repeats the whole log; the status name is what belongs on the first line.
            throw buildFailure(file, options, new BuildLog(parts, List.of(sources)),
                    CL.stringFor_errorCode(e.getStatus()), log);
        }
        return p;
    }

    /** Lines of the compiler's log shown with a build failure: the first errors are the ones that matter. */
    static final int LOG_LINES_SHOWN = 20;

    /**
     * The error for a program that did not build: a first line naming the kernel file, the device, the
     * options and the status, and as its details the driver's build log with positions in clprop's files
     * (indented, its first {@link #LOG_LINES_SHOWN} lines).
     */
    UserError buildFailure(String file, String options, BuildLog sources, String status, String log) {
        StringBuilder sb = new StringBuilder("kernels/" + file + " failed to build on " + device.summary()
                + " with options '" + options + "' (" + status + ")");
        int total = BuildLog.lineCount(log);
        if (total == 0) {
            return new UserError(sb.append("; the driver gave no build log").toString());
        }
        sb.append("; the driver's build log").append(total > LOG_LINES_SHOWN
                ? " (first " + LOG_LINES_SHOWN + " of " + total + " lines)" : "").append(':');
        List<String> lines = new java.util.ArrayList<>();
        for (String line : sources.lines(log, LOG_LINES_SHOWN)) {
            lines.add(line);
        }
        return new UserError(sb.toString(), lines);
    }

    private String buildLog(cl_program p) {
        long[] size = new long[1];
        clGetProgramBuildInfo(p, device.device(), CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetProgramBuildInfo(p, device.device(), CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return new String(buf, StandardCharsets.UTF_8).trim();
    }

    /** Reads a .cl file packaged from kernels/ into the jar. */
    public static String loadSource(String file) {
        try (InputStream in = ProgramCache.class.getResourceAsStream("/kernels/" + file)) {
            if (in == null) {
                throw new IllegalStateException("kernels/" + file + " is not on the classpath (is the jar built?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernels/" + file, e);
        }
    }
}
