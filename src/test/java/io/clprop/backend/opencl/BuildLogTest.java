package io.clprop.backend.opencl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Build logs point into clprop's files, whatever the driver calls the joined source. */
class BuildLogTest {
    /** A 3-line header joined in front of a kernel file, as ProgramCache does for gemm.cl. */
    private final BuildLog log = new BuildLog(List.of("head.clh", "k.cl"),
            List.of("// 1\n#define X 2\n// 3\n", "// 1\nkernel void f() { X }\n"));

    @Test
    void joinedLinesMapToThePartTheyFallIn() {
        assertEquals("head.clh:1:1", log.position(1, 1));
        assertEquals("head.clh:3:7", log.position(3, 7));
        assertEquals("k.cl:1:2", log.position(4, 2));
        assertEquals("k.cl:2:19", log.position(5, 19));
    }

    @Test
    void poclTemporaryFileNamesAreRewritten() {
        String pocl = "error: /root/.cache/clprop/pocl/tempfile_gefHhm.cl:5:19 <Spelling=<scratch space>:12:1>: "
                + "use of undeclared identifier 'X'";
        assertEquals(List.of("error: k.cl:2:19 <Spelling=<scratch space>:12:1>: use of undeclared identifier 'X'"),
                log.lines(pocl, 20));
    }

    @Test
    void angleBracketSourceNamesAreRewritten() {
        assertEquals(List.of("k.cl:2:19: error: use of undeclared identifier 'X'"),
                log.lines("<kernel>:5:19: error: use of undeclared identifier 'X'", 20));
        assertEquals(List.of("head.clh:2:9: warning: x"), log.lines("<source>:2:9: warning: x", 20));
    }

    @Test
    void otherTextIsLeftAlone() {
        String line = "Device foo failed to build the program: 3:4 is not a position";
        assertEquals(List.of(line), log.lines(line, 20));
    }

    @Test
    void logIsCutAtItsFirstLines() {
        String many = "a\nb\nc\nd\n";
        assertEquals(List.of("a", "b"), log.lines(many, 2));
        assertEquals(4, BuildLog.lineCount(many));
        assertEquals(0, BuildLog.lineCount("  \n"));
    }
}
