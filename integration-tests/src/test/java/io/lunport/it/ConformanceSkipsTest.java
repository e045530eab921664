package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The skip table of docs/conformance.md as ConformanceTest reads it, and what it flags. */
class ConformanceSkipsTest {

    static final String DOC = """
            # Conformance
            | `Not.InThisSection` | overlay | above the heading |

            ## Every expected skip

            | test | LUNs | why |
            |---|---|---|
            | `Sanitize.BlockErase` | overlay, direct | not offered |
            | `Unmap.Simple` | direct | not thin |

            ## Later
            | `Not.Either` | direct | below |
            """;

    static final String LOG = """
            Suite: Sanitize
              Test: BlockErase ...    [SKIPPED] --allow-sanitize flag is not set. Skipping test.
            passed
            Suite: Unmap
              Test: Simple ...passed
              Test: VPD ...    [SKIPPED] UNMAP is not implemented.
            passed
              Test: ZeroBlocks ...FAILED
                1. test.c:1 - CU_ASSERT_EQUAL(ret,0)
            Run Summary:    Type  Total    Ran Passed Failed Inactive
                           tests      4      4      3      1        0
            """;

    @Test
    void readsOnlyTheTableUnderItsHeading() {
        ConformanceSkips skips = ConformanceSkips.parse(DOC, "doc");
        assertThat(skips.expected).containsOnlyKeys("Sanitize.BlockErase", "Unmap.Simple");
        assertThat(skips.expectedOn("SCSI.Sanitize.BlockErase", "direct")).isTrue();
        assertThat(skips.expectedOn("LINUX.Unmap.Simple", "overlay")).isFalse();
    }

    @Test
    void flagsUnlistedSkipsListedPassesAndEveryFailure() {
        ConformanceSkips skips = ConformanceSkips.parse(DOC, "doc");
        List<String> onDirect = skips.disagreements(ConformanceLog.parse("SCSI", LOG), "direct");
        assertThat(onDirect).hasSize(3);
        assertThat(onDirect.get(0)).startsWith("passes now: remove it from docs/conformance.md for direct: SCSI.Unmap.Simple");
        assertThat(onDirect.get(1)).startsWith("skipped, but not in docs/conformance.md for direct: SCSI.Unmap.VPD");
        assertThat(onDirect.get(2)).startsWith("FAIL SCSI.Unmap.ZeroBlocks");
    }

    @Test
    void aMalformedTableIsAnErrorNamingTheLine() {
        assertThatThrownBy(() -> ConformanceSkips.parse("## Every expected skip\n| `NoSuite` | direct | x |\n", "doc"))
                .hasMessageContaining("doc line 2");
        assertThatThrownBy(() -> ConformanceSkips.parse("# nothing here\n", "doc")).hasMessageContaining("no table");
    }

    @Test
    void theRepositoryDocumentParses() throws IOException {
        assertThat(ConformanceSkips.read(ConformanceTest.DOCUMENT).expected).isNotEmpty();
    }
}
