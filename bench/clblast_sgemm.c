/*
 * CLBlast SGEMM peer of `clprop bench`'s matrix-multiply figures.
 *
 *   gcc -O2 -o bench/build/clblast_sgemm bench/clblast_sgemm.c -lclblast -lOpenCL
 *   CLPROP_CL_PLATFORM=0 CLPROP_CL_DEVICE=0 bench/build/clblast_sgemm [--json FILE] [M N K ...]
 *
 * For each M N K: C (M x N) = A (M x K) . B (K x N), row-major, no transposes, alpha 1, beta 0.
 * Two warm-up calls (the first compiles CLBlast's kernels), then 5 trials of R back-to-back calls followed
 * by one clFinish, R chosen so that a trial takes at least 0.2 s; prints `clblast M N K GFLOPS` (median
 * of the trials, 2*M*N*K flops per call).
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <clblast_c.h>
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRIALS 5
#define MIN_TRIAL_S 0.2

static const size_t DEFAULT_SHAPES[][3] = {
    {128, 256, 784}, {128, 128, 256}, {128, 10, 128}, {256, 784, 128}, {128, 256, 128}, {1024, 1024, 1024},
};

static void die_cl(const char *what, cl_int err) {
    fprintf(stderr, "clblast_sgemm: %s failed: OpenCL error %d\n", what, (int)err);
    exit(1);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int env_index(const char *name) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') return 0;
    char *end;
    long i = strtol(v, &end, 10);
    if (*end != '\0' || i < 0) {
        fprintf(stderr, "clblast_sgemm: %s must be a non-negative integer, got '%s'\n", name, v);
        exit(2);
    }
    return (int)i;
}

static cl_mem random_buffer(cl_context ctx, cl_command_queue q, size_t n, unsigned *seed) {
    cl_int err;
    float *h = malloc(n * sizeof(float));
    if (!h) { fprintf(stderr, "clblast_sgemm: out of memory\n"); exit(1); }
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        h[i] = (float)((*seed >> 8) * (1.0 / 16777216.0)) - 0.5f;
    }
    cl_mem m = clCreateBuffer(ctx, CL_MEM_READ_WRITE, n * sizeof(float), NULL, &err);
    if (err != CL_SUCCESS) die_cl("clCreateBuffer", err);
    err = clEnqueueWriteBuffer(q, m, CL_TRUE, 0, n * sizeof(float), h, 0, NULL, NULL);
    if (err != CL_SUCCESS) die_cl("clEnqueueWriteBuffer", err);
    free(h);
    return m;
}

static void sgemm(cl_command_queue *q, size_t m, size_t n, size_t k, cl_mem a, cl_mem b, cl_mem c) {
    CLBlastStatusCode s = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, m, n, k,
                                       1.0f, a, 0, k, b, 0, n, 0.0f, c, 0, n, q, NULL);
    if (s != CLBlastSuccess) {
        fprintf(stderr, "clblast_sgemm: CLBlastSgemm(%zu, %zu, %zu) failed with status %d\n", m, n, k, (int)s);
        exit(1);
    }
}

int main(int argc, char **argv) {
    const char *json = NULL;
    size_t (*shapes)[3] = NULL;
    size_t nshapes = 0;
    int i = 1;
    if (i < argc && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
        printf("usage: %s [--json FILE] [M N K ...]\n", argv[0]);
        return 0;
    }
    if (i + 1 < argc && strcmp(argv[i], "--json") == 0) {
        json = argv[i + 1];
        i += 2;
    }
    int rest = argc - i;
    if (rest % 3 != 0) {
        fprintf(stderr, "usage: %s [--json FILE] [M N K ...]  (shape arguments come in triples)\n", argv[0]);
        return 2;
    }
    if (rest == 0) {
        nshapes = sizeof DEFAULT_SHAPES / sizeof DEFAULT_SHAPES[0];
        shapes = malloc(sizeof DEFAULT_SHAPES);
        memcpy(shapes, DEFAULT_SHAPES, sizeof DEFAULT_SHAPES);
    } else {
        nshapes = (size_t)rest / 3;
        shapes = malloc(nshapes * sizeof *shapes);
        for (size_t s = 0; s < nshapes; s++) {
            for (int d = 0; d < 3; d++) {
                char *end;
                long v = strtol(argv[i + 3 * s + d], &end, 10);
                if (*end != '\0' || v < 1) {
                    fprintf(stderr, "clblast_sgemm: bad dimension '%s'\n", argv[i + 3 * s + d]);
                    return 2;
                }
                shapes[s][d] = (size_t)v;
            }
        }
    }

    int pi = env_index("CLPROP_CL_PLATFORM"), di = env_index("CLPROP_CL_DEVICE");
    cl_uint np = 0, nd = 0;
    cl_int err = clGetPlatformIDs(0, NULL, &np);
    if (err != CL_SUCCESS || np == 0) die_cl("clGetPlatformIDs (no platforms?)", err);
    if ((cl_uint)pi >= np) { fprintf(stderr, "clblast_sgemm: platform %d of %u\n", pi, np); return 2; }
    cl_platform_id *plats = malloc(np * sizeof *plats);
    clGetPlatformIDs(np, plats, NULL);
    cl_platform_id plat = plats[pi];
    err = clGetDeviceIDs(plat, CL_DEVICE_TYPE_ALL, 0, NULL, &nd);
    if (err != CL_SUCCESS || nd == 0) die_cl("clGetDeviceIDs", err);
    if ((cl_uint)di >= nd) { fprintf(stderr, "clblast_sgemm: device %d of %u\n", di, nd); return 2; }
    cl_device_id *devs = malloc(nd * sizeof *devs);
    clGetDeviceIDs(plat, CL_DEVICE_TYPE_ALL, nd, devs, NULL);
    cl_device_id dev = devs[di];
    char pname[256] = "", dname[256] = "";
    clGetPlatformInfo(plat, CL_PLATFORM_NAME, sizeof pname, pname, NULL);
    clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof dname, dname, NULL);
    cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
    if (err != CL_SUCCESS) die_cl("clCreateContext", err);
    cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &err);
    if (err != CL_SUCCESS) die_cl("clCreateCommandQueue", err);
    fprintf(stderr, "clblast_sgemm: platform %d (%s), device %d (%s)\n", pi, pname, di, dname);

    double *gflops = malloc(nshapes * sizeof *gflops);
    long *repsv = malloc(nshapes * sizeof *repsv);
    unsigned seed = 1;
    for (size_t s = 0; s < nshapes; s++) {
        size_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        cl_mem a = random_buffer(ctx, q, m * k, &seed);
        cl_mem b = random_buffer(ctx, q, k * n, &seed);
        cl_mem c = random_buffer(ctx, q, m * n, &seed);
        for (int w = 0; w < 2; w++) sgemm(&q, m, n, k, a, b, c);
        clFinish(q);
        /* calibrate R: grow until one batch of R calls plus clFinish takes at least MIN_TRIAL_S */
        long reps = 1;
        for (;;) {
            double t0 = now_s();
            for (long r = 0; r < reps; r++) sgemm(&q, m, n, k, a, b, c);
            clFinish(q);
            double dt = now_s() - t0;
            if (dt >= MIN_TRIAL_S) break;
            long next = (long)(reps * MIN_TRIAL_S * 1.2 / (dt > 1e-9 ? dt : 1e-9));
            reps = next > 2 * reps ? next : 2 * reps;
        }
        double flops = 2.0 * (double)m * (double)n * (double)k, g[TRIALS];
        for (int t = 0; t < TRIALS; t++) {
            double t0 = now_s();
            for (long r = 0; r < reps; r++) sgemm(&q, m, n, k, a, b, c);
            err = clFinish(q);
            if (err != CL_SUCCESS) die_cl("clFinish", err);
            g[t] = flops * reps / (now_s() - t0) / 1e9;
        }
        qsort(g, TRIALS, sizeof g[0], cmp_double);
        gflops[s] = g[TRIALS / 2];
        repsv[s] = reps;
        printf("clblast %zu %zu %zu %.2f\n", m, n, k, gflops[s]);
        fflush(stdout);
        clReleaseMemObject(a);
        clReleaseMemObject(b);
        clReleaseMemObject(c);
    }

    if (json) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", json);
        FILE *f = fopen(tmp, "w");
        if (!f) { perror(tmp); return 1; }
        fprintf(f, "{\n  \"peer\": \"clblast\",\n  \"platform\": %d,\n  \"device\": %d,\n", pi, di);
        /* device/platform names from PoCL contain no quotes or backslashes in practice; escape anyway */
        fprintf(f, "  \"platform_name\": \"");
        for (char *p = pname; *p; p++) fprintf(f, (*p == '"' || *p == '\\') ? "\\%c" : "%c", *p);
        fprintf(f, "\",\n  \"device_name\": \"");
        for (char *p = dname; *p; p++) fprintf(f, (*p == '"' || *p == '\\') ? "\\%c" : "%c", *p);
        fprintf(f, "\",\n  \"gemm\": [\n");
        for (size_t s = 0; s < nshapes; s++) {
            fprintf(f, "    {\"m\": %zu, \"n\": %zu, \"k\": %zu, \"gflops\": %.4f, \"calls_per_trial\": %ld}%s\n",
                    shapes[s][0], shapes[s][1], shapes[s][2], gflops[s], repsv[s], s + 1 < nshapes ? "," : "");
        }
        fprintf(f, "  ]\n}\n");
        if (fclose(f) != 0 || rename(tmp, json) != 0) { perror(json); return 1; }
    }
    clReleaseCommandQueue(q);
    clReleaseContext(ctx);
    free(plats);
    free(devs);
    free(shapes);
    free(gflops);
    free(repsv);
    return 0;
}
