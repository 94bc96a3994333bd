package io.clprop.backend.opencl;

import io.clprop.backend.Backend;
import io.clprop.backend.MemoryLimits;
import io.clprop.backend.Shapes;
import io.clprop.backend.Tensor;
import io.clprop.backend.Tensor.DType;
import io.clprop.backend.TransferStats;
import io.clprop.backend.WindowGeometry;
import io.clprop.backend.Activation;
import io.clprop.backend.DropoutMask;
import io.clprop.util.UserError;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.jocl.CL.*;

import static io.clprop.util.Wording.setting;

/**
 * Runs every operation as a kernel from {@code kernels/} on one OpenCL device, on one in-order queue.
 * Launches are enqueued and never awaited; the only blocking calls are {@link #read}, {@link #write} and
 * {@link #finish}, all of which pass through {@link #transfers} so that per-step traffic can be counted.
 * Buffers, kernels and the queue are released in {@link #close()}; the context and built programs are
 * shared per JVM through {@link ProgramCache}.
 */
public final class OpenClBackend implements Backend {
    /** Every program's options; gemm.cl adds its block's defines (DeviceLimits builds the same program). */
    static final String PLAIN_OPTIONS = "-cl-std=CL1.2";
    /**
     * CLPROP_ZERO_FROM_HOST=1 zeroes new buffers with a host write instead of clEnqueueFillBuffer. Oclgrind
     * 21.10's uninitialised-value check does not see fills, and then reports every value a kernel later
     * stores there as uninitialised; bin/sanitize sets this so that check stays meaningful (kernel-private
     * values). The contents are the same zeros either way.
     */
    private static final boolean ZERO_FROM_HOST = "1".equals(System.getenv("CLPROP_ZERO_FROM_HOST"));

    private final ClDevice device;
    private final GemmConfig gemm;
    private final ProgramCache programs;
    private final cl_command_queue queue;
    private final Map<String, String> buildOptions;
    private final Map<String, cl_kernel> kernels = new LinkedHashMap<>();
    /** CL_KERNEL_WORK_GROUP_SIZE of each kernel: the most items a work-group of it may hold. */
    private final Map<String, Long> kernelMaxItems = new LinkedHashMap<>();
    /** Each live buffer with its size in bytes. */
    private final Map<cl_mem, Long> live = new IdentityHashMap<>();
    private long liveBytes;
    private final TransferStats transfers = new TransferStats();
    /** Non-null while profiling: every launch keeps its event, named by kernel. */
    private List<Map.Entry<String, cl_event>> profiled;
    private boolean closed;

    /** The device with its tuned gemm block shape (see {@link GemmTuner}), or the default one. */
    public OpenClBackend(ClDevice device) {
        this(device, GemmTuner.cachedOrDefault(device));
    }

    public OpenClBackend(ClDevice device, GemmConfig gemm) {
        this(device, gemm, Map.of());
    }

    /**
     * @param extraBuildOptions options added to a program's build options, by file name (e.g.
     *                          "gemm.cl" → "-DRM=2"); a -D define replaces the one of the same name (see
     *                          {@link #mergeOptions}). For experiments and for proving that verification
     *                          catches a wrongly built kernel.
     */
    public OpenClBackend(ClDevice device, GemmConfig gemm, Map<String, String> extraBuildOptions) {
        this(device, gemm, extraBuildOptions, List.of(device));
    }

    /**
     * As {@link #OpenClBackend(ClDevice, GemmConfig, Map)} in one context with the devices {@code sharing}
     * (this one among them, all of its platform): backends opened on each of them with the same list can
     * read each other's buffers, which data-parallel training's exchange of gradients and weights does without the host
     * ({@link SharedContextReplicaExchange}).
     */
    @SuppressWarnings("deprecation")
    public OpenClBackend(ClDevice device, GemmConfig gemm, Map<String, String> extraBuildOptions,
                         List<ClDevice> sharing) {
        this.device = device;
        this.gemm = gemm;
        this.buildOptions = new LinkedHashMap<>();
        // gemm.cl always provides transpose; with a tiled config it is built with the default register
        // block (the same program every other backend on the device shares) and its products go unused.
        GemmConfig.RegisterBlock block = gemm instanceof GemmConfig.RegisterBlock b ? b : GemmConfig.DEFAULT;
        buildOptions.put("gemm.cl", PLAIN_OPTIONS + " " + block.buildOptions());
        if (gemm instanceof GemmConfig.Tiled t) {
            // The same DEVICE rules the tuner's search space applies, so a configuration given by hand or read
            // from a cache is refused for the same reasons the tuner never builds it.
            DeviceLimits limits = DeviceLimits.of(device);
            Optional<String> unfit = t.unfitFor(limits);
            if (unfit.isPresent()) {
                throw new UserError("gemm config " + t.buildOptions() + " cannot run on " + device.summary() + ": "
                        + unfit.get() + GemmConfig.defaultTileFor(limits).map(f -> "; a tile that fits: "
                        + f.buildOptions()).orElse("; no tile fits, register blocks do"));
            }
            buildOptions.put(t.file(), PLAIN_OPTIONS + " " + t.buildOptions());
        }
        for (String f : List.of("activation.cl", "reduce.cl", "loss.cl", "optimizer.cl", "data.cl", "dropout.cl",
                "conv.cl", "pool.cl")) {
            buildOptions.put(f, PLAIN_OPTIONS);
        }
        for (Map.Entry<String, String> e : extraBuildOptions.entrySet()) {
            if (e.getKey().equals(GemmConfig.GPU_DEFAULT.file()) && !buildOptions.containsKey(e.getKey())) {
                throw new UserError(setting("buildOptions") + " " + e.getKey() + "=" + e.getValue() + ": " + e.getKey()
                        + " is not built for these gemm kernels (" + gemm.file() + " " + gemm.buildOptions()
                        + "); it is built with a tiled gemm config (the default on GPUs, or " + setting("gemmConfig")
                        + " tiled)");
            }
            if (!buildOptions.containsKey(e.getKey())) {
                throw new UserError(setting("buildOptions") + " " + e.getKey() + "=" + e.getValue() + ": no kernel file "
                        + e.getKey() + " (the files are " + String.join(", ", buildOptions.keySet()) + ")");
            }
            buildOptions.merge(e.getKey(), e.getValue(), OpenClBackend::mergeOptions);
        }
        this.programs = ProgramCache.forDevice(device, sharing);
        // clCreateCommandQueue is deprecated in 2.0 but is the one call every 1.2+ driver has. Profiling is
        // enabled on the queue (timestamps are only taken for launches that ask for an event).
        this.queue = clCreateCommandQueue(programs.context(), device.device(), CL_QUEUE_PROFILING_ENABLE, null);
        ClObjectCounts.created(ClObjectCounts.Kind.QUEUE);
        try {
            addKernels(gemm.file(), PRODUCTS);
            addKernels("gemm.cl", "transpose", "dense_backward_weights_split", "sum_slices", "dense_forward_narrow",
                    "dense_backward_weights_narrow");
            if (gemm instanceof GemmConfig.Tiled t) {
                checkTiledKernels(t);
            }
            addKernels("activation.cl", "bias_add", "activate", "activation_backward");
            addKernels("reduce.cl", "bias_grad", "mean_into", "nonfinite_flag", "axpby");
            addKernels("loss.cl", "mse_loss", "softmax_ce", "softmax_rows");
            addKernels("optimizer.cl", "sgd_update", "momentum_update", "adam_update");
            addKernels("data.cl", "gather_rows", "argmax_rows");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Programs that only some networks use, built when one of their kernels is first launched rather than
     * with the backend: on PoCL with an empty cache each costs 0.15–0.25 s of a cold start (the compiler runs
     * one build at a time) that a network without dropout, convolutions or pools would wait for in vain.
     * The other programs serve every network and are built up front, so that a build failure is reported
     * when the backend opens.
     */
    private static final Map<String, List<String>> ON_FIRST_USE = Map.of(
            "dropout.cl", List.of("dropout_forward", "dropout_backward"),
            "conv.cl", List.of("im2col", "col2im", "transpose_each"),
            "pool.cl", List.of("maxpool_forward", "maxpool_forward_2x2", "maxpool_backward", "maxpool_backward_disjoint",
                    "maxpool_backward_2x2"));

    /** The kernel called {@code name}, building its program first if it is one of {@link #ON_FIRST_USE}'s. */
    private cl_kernel kernel(String name) {
        cl_kernel k = kernels.get(name);
        if (k == null) {
            for (Map.Entry<String, List<String>> e : ON_FIRST_USE.entrySet()) {
                if (e.getValue().contains(name)) {
                    addKernels(e.getKey(), e.getValue().toArray(String[]::new));
                    return kernels.get(name);
                }
            }
            throw new IllegalArgumentException("no kernel " + name);
        }
        return k;
    }

    /** The kernels of the products, one file's: gemm.cl or gemm_tiled.cl according to the gemm config. */
    private static final String[] PRODUCTS = {"gemm_nn", "gemm_tn", "gemm_nt", "dense_forward",
            "dense_backward_input", "dense_backward_weights"};

    /**
     * The tiled kernels declare their work-group size (reqd_work_group_size, from the -D defines they were
     * built with); the host launches the size its config computes. A build option that changes one without
     * the other (e.g. extra build options gemm_tiled.cl=-DWPTM=2) would have every launch refused, so say so
     * here, once, with both sizes. Also refuse a group larger than the driver can run this kernel with (its
     * register use can lower the limit below the device's maximum).
     */
    private void checkTiledKernels(GemmConfig.Tiled t) {
        long[] want = t.localSize();
        for (String name : PRODUCTS) {
            cl_kernel k = kernels.get(name);
            long[] declared = new long[3];
            clGetKernelWorkGroupInfo(k, device.device(), CL_KERNEL_COMPILE_WORK_GROUP_SIZE, 3L * Sizeof.size_t,
                    Pointer.to(declared), null);
            if (declared[0] != want[0] || declared[1] != want[1]) {
                throw new UserError("kernels/" + t.file() + " built with '" + buildOptions.get(t.file()) + "' declares "
                        + name + "'s work-group as " + declared[0] + "×" + declared[1] + " items, but the gemm config "
                        + t.buildOptions() + " launches " + want[0] + "×" + want[1]);
            }
            Optional<String> refused = workGroupRefusal(device, name, k, t);
            if (refused.isPresent()) {
                throw new UserError("gemm config " + t.buildOptions() + " cannot run on " + device.summary() + ": "
                        + refused.get());
            }
        }
    }

    /** When the built kernel allows fewer items per work-group (CL_KERNEL_WORK_GROUP_SIZE) than {@code t} needs. */
    private static Optional<String> workGroupRefusal(ClDevice device, String name, cl_kernel k, GemmConfig.Tiled t) {
        long max = maxItemsPerGroup(device, k);
        return t.itemsPerGroup() > max ? Optional.of(name + " allows at most " + max
                + " items per work-group, the config needs " + t.itemsPerGroup()) : Optional.empty();
    }

    /** CL_KERNEL_WORK_GROUP_SIZE: the most items the built kernel allows in one work-group on the device. */
    private static long maxItemsPerGroup(ClDevice device, cl_kernel k) {
        long[] max = new long[1];
        clGetKernelWorkGroupInfo(k, device.device(), CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(max), null);
        return max[0];
    }

    /**
     * Why the device refuses {@code t}'s kernels once built with the options a backend uses (their
     * CL_KERNEL_WORK_GROUP_SIZE below its work-group: a GPU's register use can lower it under the device's
     * maximum), or empty. The program is built through {@link ProgramCache}, so a backend opened with
     * {@code t} afterwards reuses it.
     */
    static Optional<String> tiledKernelRefusal(ClDevice device, GemmConfig.Tiled t) {
        cl_program p;
        try {
            p = ProgramCache.forDevice(device).program(t.file(), PLAIN_OPTIONS + " " + t.buildOptions());
        } catch (UserError e) {
            return Optional.of(e.headline()); // a driver may refuse the declared work-group at build time
        }
        for (String name : PRODUCTS) {
            cl_kernel k = clCreateKernel(p, name, null);
            ClObjectCounts.created(ClObjectCounts.Kind.KERNEL);
            try {
                Optional<String> refused = workGroupRefusal(device, name, k, t);
                if (refused.isPresent()) {
                    return refused;
                }
            } finally {
                clReleaseKernel(k);
                ClObjectCounts.released(ClObjectCounts.Kind.KERNEL);
            }
        }
        return Optional.empty();
    }

    /**
     * {@code base} with {@code extra} added, where a {@code -DNAME=…} in extra replaces base's define of the
     * same NAME in place rather than following it: a redefined macro only draws a compiler warning, and the
     * options reported with a failure should read as what the kernel was built with.
     */
    static String mergeOptions(String base, String extra) {
        List<String> tokens = new ArrayList<>(List.of(base.trim().split("\\s+")));
        for (String t : extra.trim().split("\\s+")) {
            if (t.isEmpty()) {
                continue;
            }
            String name = defineName(t);
            int at = -1;
            for (int i = 0; name != null && i < tokens.size(); i++) {
                if (name.equals(defineName(tokens.get(i)))) {
                    at = i;
                }
            }
            if (at >= 0) {
                tokens.set(at, t);
            } else {
                tokens.add(t);
            }
        }
        return String.join(" ", tokens);
    }

    private static String defineName(String token) {
        if (!token.startsWith("-D") || token.length() < 3) {
            return null;
        }
        int eq = token.indexOf('=');
        return eq < 0 ? token.substring(2) : token.substring(2, eq);
    }

    private void addKernels(String file, String... names) {
        cl_program p = programs.program(file, buildOptions.get(file));
        for (String name : names) {
            cl_kernel k = clCreateKernel(p, name, null);
            kernels.put(name, k);
            ClObjectCounts.created(ClObjectCounts.Kind.KERNEL);
            kernelMaxItems.put(name, maxItemsPerGroup(device, k));
        }
    }

    public ClDevice device() {
        return device;
    }

    /** True when this backend and {@code other} are in one context (their buffers are each other's to read). */
    public boolean sharesContextWith(OpenClBackend other) {
        return programs.context() == other.programs.context();
    }

    /** The in-order queue every operation of this backend is enqueued on (for {@link SharedContextReplicaExchange}). */
    cl_command_queue queue() {
        return queue;
    }

    /** The buffer behind one of this backend's live tensors (for {@link SharedContextReplicaExchange}). */
    cl_mem buffer(Tensor t) {
        return mem(t);
    }

    public GemmConfig gemmConfig() {
        return gemm;
    }

    /** The compile-time parameters each program was built with, for failure reports. */
    public Map<String, String> buildOptions() {
        return Collections.unmodifiableMap(buildOptions);
    }

    @Override
    public String description() {
        return device.summary();
    }

    // ---- memory ---------------------------------------------------------------------------------------

    @Override
    public Tensor allocate(int rows, int cols) {
        long elements = (long) rows * cols;
        MemoryLimits.Kind.DEVICE.checkElements("a " + rows + "×" + cols + " tensor would", elements, false);
        return new Tensor(newBuffer((int) elements), DType.FLOAT32, 0, rows, cols);
    }

    @Override
    public Tensor allocateInt(int length) {
        return new Tensor(newBuffer(length), DType.INT32, 0, length, 1);
    }

    private cl_mem newBuffer(int elements) {
        // A zero-sized buffer is an error in OpenCL; keep one element so empty tensors still have a handle.
        long bytes = 4L * Math.max(1, elements);
        cl_mem m;
        try {
            m = clCreateBuffer(programs.context(), CL_MEM_READ_WRITE, bytes, null, null);
        } catch (CLException e) {
            throw allocationFailure(bytes, e);
        }
        ClObjectCounts.created(ClObjectCounts.Kind.MEM);
        live.put(m, bytes);
        liveBytes += bytes;
        if (ZERO_FROM_HOST) {
            // As many zero words as the buffer holds: a byte array could not hold a buffer above 2 GiB.
            clEnqueueWriteBuffer(queue, m, CL_TRUE, 0, bytes, Pointer.to(new int[(int) (bytes / 4)]), 0, null, null);
            transfers.hostToDevice(bytes);
            transfers.blockingWait();
        } else {
            clEnqueueFillBuffer(queue, m, Pointer.to(new int[]{0}), Sizeof.cl_int, 0, bytes, 0, null, null);
        }
        return m;
    }

    /**
     * The device refused a buffer (too large for one allocation, or memory exhausted, e.g. by other
     * programs): a one-line error with the sizes, since a trainer's {@code MemoryPlan} check passed and the
     * cause lies outside clprop. Other failures are clprop's and pass through.
     */
    private RuntimeException allocationFailure(long bytes, CLException e) {
        int s = e.getStatus();
        if (s != CL_INVALID_BUFFER_SIZE && s != CL_MEM_OBJECT_ALLOCATION_FAILURE && s != CL_OUT_OF_RESOURCES
                && s != CL_OUT_OF_HOST_MEMORY) {
            return e;
        }
        MemoryLimits limits = memoryLimits().orElseThrow();
        return new UserError("not enough device memory: " + device.summary() + " refused a buffer of "
                + MemoryLimits.format(bytes) + " (" + bytes + " bytes) with " + CL.stringFor_errorCode(s)
                + "; it allows " + MemoryLimits.format(limits.maxAllocBytes()) + " per buffer and has "
                + MemoryLimits.format(limits.globalBytes()) + " in all, of which this run holds "
                + MemoryLimits.format(liveBytes) + " in " + live.size() + " buffers", e);
    }

    @Override
    public void free(Tensor t) {
        if (t.buffer() instanceof cl_mem m && live.containsKey(m)) {
            liveBytes -= live.remove(m);
            release(m);
        }
    }

    private static void release(cl_mem m) {
        clReleaseMemObject(m);
        ClObjectCounts.released(ClObjectCounts.Kind.MEM);
    }

    @Override
    public int liveBuffers() {
        return live.size();
    }

    /** Device bytes held by live buffers (what {@link io.clprop.train.MemoryPlan} predicts for a trainer). */
    public long liveBytes() {
        return liveBytes;
    }

    /** The device's memory, or less when CLPROP_DEVICE_MEMORY_LIMIT asks (see {@link MemoryLimits}). */
    @Override
    public Optional<MemoryLimits> memoryLimits() {
        return Optional.of(MemoryLimits.of(device.summary(), device.globalMemBytes(), device.maxAllocBytes()));
    }

    @Override
    public void write(Tensor dst, float[] src) {
        Shapes.checkLength(dst, src.length);
        writeWords(dst, Pointer.to(src), src.length);
    }

    @Override
    public void writeInt(Tensor dst, int[] src) {
        Shapes.checkLength(dst, src.length);
        writeWords(dst, Pointer.to(src), src.length);
    }

    private void writeWords(Tensor dst, Pointer src, int n) {
        if (n == 0) {
            return;
        }
        // Blocking: JOCL needs direct buffers for non-blocking writes, and writes happen once per data set
        // or epoch, never per step.
        clEnqueueWriteBuffer(queue, mem(dst), CL_TRUE, 4L * dst.offset(), 4L * n, src, 0, null, null);
        transfers.hostToDevice(4L * n);
        transfers.blockingWait();
    }

    @Override
    public float[] read(Tensor src) {
        float[] out = new float[src.size()];
        readWords(src, Pointer.to(out), out.length);
        return out;
    }

    @Override
    public int[] readInt(Tensor src) {
        int[] out = new int[src.size()];
        readWords(src, Pointer.to(out), out.length);
        return out;
    }

    private void readWords(Tensor src, Pointer dst, int n) {
        if (n == 0) {
            return;
        }
        clEnqueueReadBuffer(queue, mem(src), CL_TRUE, 4L * src.offset(), 4L * n, dst, 0, null, null);
        transfers.deviceToHost(4L * n);
        transfers.blockingWait();
    }

    @Override
    public void finish() {
        clFinish(queue);
        transfers.blockingWait();
    }

    @Override
    public TransferStats transfers() {
        return transfers;
    }

    // ---- dense layer ----------------------------------------------------------------------------------

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        int[] mnk = Shapes.matmul(a, transA, b, transB, c);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        if (transA && transB) {
            throw new UnsupportedOperationException("matmul with both operands transposed");
        }
        if (m == 0 || n == 0) {
            return;
        }
        launchProduct(transB ? "gemm_nt" : transA ? "gemm_tn" : "gemm_nn", m, n, m, n, k, a, b, c);
    }

    @Override
    public void denseForward(Tensor x, Tensor w, Tensor bias, Activation f, Tensor out) {
        int[] mnk = Shapes.matmul(x, false, w, true, out);
        Shapes.checkBias(out, bias);
        if (forwardKernel(mnk[2]).equals("dense_forward_narrow")) {
            enqueue("dense_forward_narrow", new long[]{ceilDiv(mnk[1], 16), ceilDiv(mnk[0], NARROW_ROWS)}, null, f.code,
                    mnk[0], mnk[1], mnk[2], x, w, bias, out);
            return;
        }
        launchProduct("dense_forward", mnk[0], mnk[1], f.code, mnk[0], mnk[1], mnk[2], x, w, bias, out);
    }

    /**
     * Inner dimensions below which the forward product runs dense_forward_narrow (vectors along the outputs)
     * rather than dense_forward (vectors along K, 16 wide, which a shorter K never fills).
     */
    public static final int NARROW_K = 16;
    /** Rows per work-item of dense_forward_narrow (its NARROW_ROWS). */
    private static final int NARROW_ROWS = 32;

    /** The kernel {@link #denseForward} runs for inner dimension k (the cross-check names its cases by it). */
    public String forwardKernel(int k) {
        return gemm instanceof GemmConfig.RegisterBlock && k < NARROW_K ? "dense_forward_narrow" : "dense_forward";
    }

    @Override
    public void denseBackwardInput(Tensor dz, Tensor w, Activation fPrev, Tensor aPrev, Tensor dzPrev) {
        int[] mnk = Shapes.matmul(dz, false, w, false, dzPrev);
        Shapes.checkSame(aPrev, dzPrev);
        launchProduct("dense_backward_input", mnk[0], mnk[1], fPrev.code, mnk[0], mnk[1], mnk[2], dz, w, aPrev, dzPrev);
    }

    @Override
    public void denseBackwardWeights(Tensor dz, Tensor x, Tensor dw, Tensor db) {
        int[] mnk = Shapes.matmul(dz, true, x, false, dw);
        Shapes.checkBias(dz, db);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        if (weightsKernel(m, n, k).equals(NARROW_WEIGHTS)) {
            // Slices for parallelism alone: each reads its rows once, with no block of dW to share them.
            int slices = Math.min(MAX_SLICES, k / MIN_SLICE_ROWS);
            int per = m * n + m;
            Tensor partials = sliceScratch((long) slices * per);
            enqueue("dense_backward_weights_narrow", new long[]{ceilDiv(m, 16), slices}, null, m, n, k, slices, dz,
                    x, partials);
            launch("sum_slices", new long[]{per}, per, m * n, slices, partials, dw, db);
            return;
        }
        int slices = weightSlices(m, n, k);
        if (slices == 1) {
            launchProduct("dense_backward_weights", m, n, m, n, k, dz, x, dw, db);
            return;
        }
        GemmConfig.RegisterBlock block = (GemmConfig.RegisterBlock) gemm;
        int per = m * n + m;
        Tensor partials = sliceScratch((long) slices * per);
        enqueue("dense_backward_weights_split", new long[]{ceilDiv(n, block.colsPerItem()),
                ceilDiv(m, block.rowsPerItem()), slices}, null, m, n, k, slices, dz, x, partials);
        launch("sum_slices", new long[]{per}, per, m * n, slices, partials, dw, db);
    }

    static final String NARROW_WEIGHTS = "dense_backward_weights_narrow+sum_slices";

    /**
     * The kernels {@link #denseBackwardWeights} runs for dW of m × n over k rows (the cross-check names its
     * cases by them): one product, a product summed in slices of k, or for n below 16 its narrow form.
     */
    public String weightsKernel(int m, int n, int k) {
        if (gemm instanceof GemmConfig.RegisterBlock && n < NARROW_K && k >= MIN_SPLIT_ROWS) {
            return NARROW_WEIGHTS;
        }
        return weightSlices(m, n, k) == 1 ? "dense_backward_weights" : "dense_backward_weights_split+sum_slices";
    }

    /** Partials of split weight gradients ({@link #sliceScratch}); null until a product needs one. */
    private Tensor sliceScratch;

    /** Below this many register blocks of dW, a long product is split (about 64 per core of a large CPU). */
    private static final int BUSY_BLOCKS = 128;
    /** Rows each slice sums at least, so that the partials' extra traffic stays small beside the product. */
    private static final int MIN_SLICE_ROWS = 512;
    /**
     * Products over fewer rows are never split. At 2048, a dW over a batch of 1,024 was not split, and ran at
     * 85 GFLOP/s against 123 over a batch of 512 (784-1024-1024-10); split (2 slices) it trained at
     * 13.2–13.9k samples/s against 10.3–11.6k, and the reference MLP at batch 1,024 at 127–134k against
     * 115–122k.
     */
    private static final int MIN_SPLIT_ROWS = 1024;
    /** Floats of the two operands' rows one slice reads (512 KB): what a core's cache keeps between blocks. */
    private static final int SLICE_FLOATS = 1 << 17;
    private static final int MAX_SLICES = 64;

    /**
     * How many slices of K the weight gradient is summed in (1: one product), for the register-block kernels
     * (tiled GPU products keep one launch). Each block of dW reads every row of both operands, so over a
     * long K (a convolution's filters, summed over every window of the batch: K = B·OH·OW) the product is
     * bound by memory: the reference CNN's second convolution ran at 41 GFLOP/s unsplit. Slices fix two
     * things: the blocks of one slice read the same {@link #SLICE_FLOATS} of rows, which stay in cache from
     * block to block, and a dW of few blocks gets enough of them to share out ({@link #BUSY_BLOCKS}).
     */
    private int weightSlices(int m, int n, int k) {
        if (!(gemm instanceof GemmConfig.RegisterBlock block) || k < MIN_SPLIT_ROWS) {
            return 1;
        }
        long blocks = ceilDiv(n, block.colsPerItem()) * ceilDiv(m, block.rowsPerItem());
        long busy = blocks >= BUSY_BLOCKS ? 1 : Math.min(ceilDiv(BUSY_BLOCKS, blocks), k / (MIN_SLICE_ROWS * 2));
        long cached = k / Math.max(MIN_SLICE_ROWS, SLICE_FLOATS / ((long) m + n));
        return (int) Math.max(1, Math.min(Math.max(busy, cached), MAX_SLICES));
    }

    /**
     * A buffer of at least {@code floats} for the slices' partials, kept and grown as needed, and released at
     * {@link #close}: the backend's own, so not among the caller's {@link #liveBuffers()} (at most
     * {@link #MAX_SLICES}·(M·N + M) floats for a dW that has few blocks; 10 240 for the reference CNN's
     * first convolution).
     */
    private Tensor sliceScratch(long floats) {
        if (sliceScratch == null || sliceScratch.size() < floats) {
            if (sliceScratch != null) {
                release((cl_mem) sliceScratch.buffer());
                sliceScratch = null;
            }
            cl_mem m;
            try {
                m = clCreateBuffer(programs.context(), CL_MEM_READ_WRITE, 4 * floats, null, null);
            } catch (CLException e) {
                throw allocationFailure(4 * floats, e);
            }
            ClObjectCounts.created(ClObjectCounts.Kind.MEM);
            sliceScratch = new Tensor(m, DType.FLOAT32, 0, 1, Math.toIntExact(floats));
        }
        return sliceScratch.view(0, 1, (int) floats);
    }

    /**
     * Launches one of the product kernels for an m × n result. Tiled: whole tiles with the config's
     * work-group size. Register blocks: one item per block of the config (4×4 for the two A·Bᵀ forms,
     * whose block is fixed), in {@link WorkGroupShape}'s fixed work-group.
     */
    private void launchProduct(String name, int m, int n, Object... args) {
        if (gemm instanceof GemmConfig.Tiled t) {
            enqueue(name, t.globalSize(m, n), t.localSize(), args);
            return;
        }
        GemmConfig.RegisterBlock block = (GemmConfig.RegisterBlock) gemm;
        boolean nt = name.equals("gemm_nt") || name.equals("dense_forward");
        int cols = nt ? 4 : block.colsPerItem();
        int rows = nt ? 4 : block.rowsPerItem();
        enqueue(name, new long[]{ceilDiv(n, cols), ceilDiv(m, rows)}, null, args);
    }

    @Override
    public void transpose(Tensor src, Tensor dst) {
        Shapes.checkTranspose(src, dst);
        launch("transpose", new long[]{src.cols(), src.rows()}, src.rows(), src.cols(), src, dst);
    }

    @Override
    public void transposeEach(Tensor src, int blocks, int rows, int cols, Tensor dst) {
        Shapes.checkTransposeEach(src, blocks, rows, cols, dst);
        launch("transpose_each", new long[]{(long) blocks * cols}, blocks * cols, rows, cols, src, dst);
    }

    @Override
    public void addBias(Tensor z, Tensor bias) {
        Shapes.checkBias(z, bias);
        launch("bias_add", new long[]{z.size()}, z.rows(), z.cols(), z, bias);
    }

    @Override
    public void activate(Activation f, Tensor z, Tensor out) {
        Shapes.checkSame(z, out);
        launch("activate", new long[]{z.size()}, f.code, z.size(), z, out);
    }

    @Override
    public void activationBackward(Activation f, Tensor a, Tensor dA, Tensor dZ) {
        Shapes.checkSame(a, dA);
        Shapes.checkSame(a, dZ);
        launch("activation_backward", new long[]{a.size()}, f.code, a.size(), a, dA, dZ);
    }

    @Override
    public void biasGrad(Tensor dZ, Tensor db) {
        Shapes.checkBias(dZ, db);
        launch("bias_grad", new long[]{dZ.cols()}, dZ.rows(), dZ.cols(), dZ, db);
    }

    // ---- dropout --------------------------------------------------------------------------------------

    @Override
    public void dropout(Tensor a, Tensor out, DropoutMask mask, int layer) {
        Shapes.checkSame(a, out);
        launch("dropout_forward", new long[]{a.size()}, a.size(), mask.seed(), mask.step(), layer, mask.threshold(),
                mask.scale(), mask.indexOf(0, a.cols()), a, out);
    }

    @Override
    public void dropoutBackward(Tensor dOut, DropoutMask mask, int layer, Tensor dA) {
        Shapes.checkSame(dOut, dA);
        launch("dropout_backward", new long[]{dOut.size()}, dOut.size(), mask.seed(), mask.step(), layer,
                mask.threshold(), mask.scale(), mask.indexOf(0, dOut.cols()), dOut, dA);
    }

    // ---- convolution and pooling ------------------------------------------------------------------------

    // One work-item per row written (see conv.cl), the driver choosing the work-group size (launch).

    @Override
    public void im2col(Tensor x, WindowGeometry g, Tensor cols) {
        Shapes.checkPatches(x, g, cols);
        launch("im2col", new long[]{cols.rows()}, cols.rows(), g.channels(), g.height(), g.width(), g.kernel(),
                g.stride(), g.padding(), g.outHeight(), g.outWidth(), x, cols);
    }

    @Override
    public void col2im(Tensor cols, WindowGeometry g, Tensor dx) {
        Shapes.checkPatches(dx, g, cols);
        int rows = dx.rows() * g.channels() * g.height();
        launch("col2im", new long[]{rows}, rows, g.channels(), g.height(), g.width(), g.kernel(),
                g.stride(), g.padding(), g.outHeight(), g.outWidth(), cols, dx);
    }

    @Override
    public void maxPoolForward(Tensor x, WindowGeometry g, Tensor out, Tensor argmax) {
        Shapes.checkMaxPool(x, g, out, argmax);
        int rows = x.rows() * g.channels() * g.outHeight();
        if (g.twoByTwo()) {
            launch("maxpool_forward_2x2", new long[]{rows}, rows, g.height(), g.width(), g.outHeight(),
                    g.outWidth(), x, out, argmax);
            return;
        }
        launch("maxpool_forward", new long[]{rows}, rows, g.height(), g.width(), g.kernel(), g.stride(),
                g.padding(), g.outHeight(), g.outWidth(), x, out, argmax);
    }

    @Override
    public void maxPoolBackward(Tensor dOut, Tensor argmax, WindowGeometry g, Activation f, Tensor a, Tensor dx) {
        Shapes.checkMaxPool(dx, g, dOut, argmax);
        Shapes.checkSame(dx, a);
        int rows = dx.rows() * g.channels() * g.height();
        if (g.twoByTwo()) {
            launch("maxpool_backward_2x2", new long[]{rows}, rows, g.height(), g.width(), g.outHeight(),
                    g.outWidth(), f.code, dOut, argmax, a, dx);
            return;
        }
        if (g.disjoint()) {
            launch("maxpool_backward_disjoint", new long[]{rows}, rows, g.height(), g.width(), g.stride(),
                    g.outHeight(), g.outWidth(), f.code, dOut, argmax, a, dx);
            return;
        }
        launch("maxpool_backward", new long[]{rows}, rows, g.height(), g.width(), g.kernel(), g.stride(),
                g.padding(), g.outHeight(), g.outWidth(), f.code, dOut, argmax, a, dx);
    }

    // ---- losses ---------------------------------------------------------------------------------------

    @Override
    public void mseLoss(Tensor yHat, Tensor target, Tensor rowLoss, Tensor dYhat) {
        Shapes.checkSame(yHat, target);
        Shapes.checkSame(yHat, dYhat);
        Shapes.checkRowVector(yHat, rowLoss);
        launch("mse_loss", new long[]{yHat.rows()}, yHat.rows(), yHat.cols(), yHat, target, rowLoss, dYhat);
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor rowLoss, Tensor dLogits) {
        Shapes.checkSame(logits, dLogits);
        Shapes.checkRowVector(logits, rowLoss);
        Shapes.checkRowVector(logits, labels);
        Shapes.checkInt(labels);
        launch("softmax_ce", new long[]{logits.rows()}, logits.rows(), logits.cols(), logits, labels, rowLoss,
                dLogits);
    }

    @Override
    public void softmaxRows(Tensor logits, Tensor probs) {
        Shapes.checkSame(logits, probs);
        launch("softmax_rows", new long[]{logits.rows()}, logits.rows(), logits.cols(), logits, probs);
    }

    @Override
    public void flagNonFinite(Tensor x, Tensor flag, int index) {
        Shapes.checkIndex("flagNonFinite", flag, index);
        launch("nonfinite_flag", new long[]{x.size()}, x.size(), x, flag, index);
    }

    @Override
    public void meanInto(Tensor rowLoss, Tensor dst, int index) {
        Shapes.checkIndex("meanInto", dst, index);
        launch("mean_into", new long[]{1}, rowLoss.size(), rowLoss, dst, index);
    }

    @Override
    public void sgdUpdate(Tensor params, Tensor grads, float lr, float weightDecay) {
        Shapes.checkSameSize(params, grads);
        launch("sgd_update", new long[]{params.size()}, params.size(), params, grads, lr, weightDecay);
    }

    @Override
    public void momentumUpdate(Tensor params, Tensor grads, Tensor velocity, float lr, float momentum,
                               float weightDecay, boolean nesterov) {
        Shapes.checkSameSize(params, grads, velocity);
        launch("momentum_update", new long[]{params.size()}, params.size(), params, grads, velocity, lr, momentum,
                weightDecay, nesterov ? 1 : 0);
    }

    @Override
    public void adamUpdate(Tensor params, Tensor grads, Tensor m, Tensor s, float lr, float beta1, float beta2,
                           float epsilon, float weightDecay, float c1, float c2) {
        Shapes.checkSameSize(params, grads, m, s);
        launch("adam_update", new long[]{params.size()}, params.size(), params, grads, m, s, lr, beta1, beta2,
                epsilon, weightDecay, c1, c2);
    }

    @Override
    public void axpby(float a, Tensor x, float b, Tensor y) {
        Shapes.checkSameSize(x, y);
        launch("axpby", new long[]{y.size()}, y.size(), a, x, b, y);
    }

    /**
     * {@link #axpby} with x a tensor of {@code owner}, another backend of this context (checked): the gradient
     * sum reads each device's gradients where they are. The caller orders it after owner's writes to x.
     */
    void axpbyFrom(float a, OpenClBackend owner, Tensor x, float b, Tensor y) {
        requireSameContext(owner);
        Shapes.checkSameSize(x, y);
        launch("axpby", new long[]{y.size()}, y.size(), a, new OtherDevicesTensor(owner.buffer(x), x.offset()), b, y);
    }

    /** {@link #copy} from a tensor of {@code owner}, another backend of this context (checked). */
    void copyFrom(OpenClBackend owner, Tensor src, Tensor dst, int waits, cl_event[] waitFor) {
        requireSameContext(owner);
        Shapes.checkSameSize(src, dst);
        clEnqueueCopyBuffer(queue, owner.buffer(src), mem(dst), 4L * src.offset(), 4L * dst.offset(),
                4L * src.size(), waits, waits == 0 ? null : waitFor, null);
    }

    /** Refuses another backend's buffers unless they are in this backend's context. */
    private void requireSameContext(OpenClBackend owner) {
        if (!sharesContextWith(owner)) {
            throw new IllegalArgumentException(owner.description() + " is not in the context of " + description());
        }
    }

    /** A kernel argument in another backend's buffer of this context: its buffer and element offset. */
    private record OtherDevicesTensor(cl_mem buffer, int offset) {
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Shapes.checkSameSize(src, dst);
        if (src.size() > 0) {
            clEnqueueCopyBuffer(queue, mem(src), mem(dst), 4L * src.offset(), 4L * dst.offset(), 4L * src.size(), 0,
                    null, null);
        }
    }

    // ---- data -----------------------------------------------------------------------------------------

    @Override
    public void gatherRows(Tensor src, Tensor indices, int start, Tensor dst) {
        Shapes.checkGather(src, indices, start, dst);
        launch("gather_rows", new long[]{ceilDiv(dst.cols(), 16), dst.rows()}, dst.rows(), dst.cols(), src,
                indices.view(start, dst.rows(), 1), dst);
    }

    @Override
    public void argmaxRows(Tensor x, Tensor out) {
        Shapes.checkRowVector(x, out);
        Shapes.checkInt(out);
        launch("argmax_rows", new long[]{x.rows()}, x.rows(), x.cols(), x, out);
    }

    // ---- launching ------------------------------------------------------------------------------------

    /**
     * Sets the arguments in order and enqueues the kernel in the fixed work-group shape of
     * {@link WorkGroupShape} (only the tiled products pass their own). A Tensor argument expands to two
     * kernel arguments: its buffer and its element offset.
     */
    private void launch(String name, long[] global, Object... args) {
        enqueue(name, global, null, args);
    }

    /** {@link #launch} with an explicit work-group size ({@code local}; null: {@link WorkGroupShape}'s). */
    private void enqueue(String name, long[] global, long[] local, Object... args) {
        for (long g : global) {
            if (g == 0) {
                return;
            }
        }
        cl_kernel k = kernel(name);
        int i = 0;
        for (Object arg : args) {
            if (arg instanceof Tensor t) {
                clSetKernelArg(k, i++, Sizeof.cl_mem, Pointer.to(mem(t)));
                clSetKernelArg(k, i++, Sizeof.cl_int, Pointer.to(new int[]{t.offset()}));
            } else if (arg instanceof OtherDevicesTensor t) {
                clSetKernelArg(k, i++, Sizeof.cl_mem, Pointer.to(t.buffer()));
                clSetKernelArg(k, i++, Sizeof.cl_int, Pointer.to(new int[]{t.offset()}));
            } else if (arg instanceof Integer v) {
                clSetKernelArg(k, i++, Sizeof.cl_int, Pointer.to(new int[]{v}));
            } else if (arg instanceof Float v) {
                clSetKernelArg(k, i++, Sizeof.cl_float, Pointer.to(new float[]{v}));
            } else {
                throw new IllegalArgumentException("kernel argument of type " + arg.getClass());
            }
        }
        if (local == null) {
            WorkGroupShape shape = WorkGroupShape.of(global, kernelMaxItems.get(name));
            global = shape.global();
            local = shape.local();
        }
        if (profiled == null) {
            clEnqueueNDRangeKernel(queue, k, global.length, null, global, local, 0, null, null);
        } else {
            cl_event e = new cl_event();
            clEnqueueNDRangeKernel(queue, k, global.length, null, global, local, 0, null, e);
            ClObjectCounts.created(ClObjectCounts.Kind.EVENT);
            profiled.add(Map.entry(name, e));
        }
    }

    /** Starts recording the device time of every launch (for `clprop bench`'s profile). */
    public void startProfiling() {
        stopProfiling();
        profiled = new ArrayList<>();
    }

    /**
     * Waits for the recorded launches and returns, per kernel, {launches, total device nanoseconds} in order
     * of first launch; stops recording.
     */
    public Map<String, long[]> stopProfiling() {
        Map<String, long[]> out = new LinkedHashMap<>();
        if (profiled == null) {
            return out;
        }
        finish();
        long[] t = new long[1];
        for (Map.Entry<String, cl_event> e : profiled) {
            clGetEventProfilingInfo(e.getValue(), CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(t), null);
            long start = t[0];
            clGetEventProfilingInfo(e.getValue(), CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(t), null);
            long[] acc = out.computeIfAbsent(e.getKey(), k -> new long[2]);
            acc[0]++;
            acc[1] += t[0] - start;
            release(e.getValue());
        }
        profiled = null;
        return out;
    }

    private static void release(cl_event e) {
        clReleaseEvent(e);
        ClObjectCounts.released(ClObjectCounts.Kind.EVENT);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** The tensor's buffer; refuses freed buffers and other backends' tensors, which would crash a driver. */
    private cl_mem mem(Tensor t) {
        if (!(t.buffer() instanceof cl_mem m) || !(live.containsKey(m)
                || sliceScratch != null && m == sliceScratch.buffer())) {
            throw new IllegalStateException("tensor " + t + " is not a live buffer of this OpenCL backend"
                    + (closed ? " (backend closed)" : ""));
        }
        return m;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (queue != null) {
            clFinish(queue);
        }
        if (profiled != null) {
            for (Map.Entry<String, cl_event> e : profiled) {
                release(e.getValue());
            }
            profiled = null;
        }
        if (sliceScratch != null) {
            release((cl_mem) sliceScratch.buffer());
            sliceScratch = null;
        }
        List<cl_mem> buffers = new ArrayList<>(live.keySet());
        live.clear();
        liveBytes = 0;
        for (cl_mem m : buffers) {
            release(m);
        }
        for (cl_kernel k : kernels.values()) {
            clReleaseKernel(k);
            ClObjectCounts.released(ClObjectCounts.Kind.KERNEL);
        }
        kernels.clear();
        if (queue != null) {
            clReleaseCommandQueue(queue);
            ClObjectCounts.released(ClObjectCounts.Kind.QUEUE);
        }
    }
}
