package io.lunport.translation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloseablesTest {

    private final List<String> closed = new ArrayList<>();

    private AutoCloseable fine(String name) {
        return () -> closed.add(name);
    }

    private AutoCloseable failing(String name, Exception failure) {
        return () -> {
            closed.add(name);
            throw failure;
        };
    }

    @Test
    void closesEveryResourceInOrderAndSkipsNulls() throws IOException {
        Closeables.closeAll(Arrays.asList(fine("a"), null, fine("b")));
        assertThat(closed).containsExactly("a", "b");
    }

    @Test
    void theFirstFailureIsThrownAfterAllWereClosedWithTheLaterOnesSuppressed() {
        IOException first = new IOException("first");
        IOException second = new IOException("second");
        assertThatThrownBy(() -> Closeables.closeAll(List.of(failing("a", first), fine("b"), failing("c", second))))
                .isSameAs(first);
        assertThat(closed).containsExactly("a", "b", "c");
        assertThat(first.getSuppressed()).containsExactly(second);
    }

    @Test
    void aCallersOwnFailureComesFirst() {
        IOException own = new IOException("unmount failed");
        IOException closing = new IOException("flush failed");
        assertThatThrownBy(() -> Closeables.closeAll(own, List.of(failing("a", closing)))).isSameAs(own);
        assertThat(own.getSuppressed()).containsExactly(closing);
    }

    @Test
    void anUncheckedFailureDoesNotStopTheOthersAndComesOutAsIoException() {
        UncheckedIOException unchecked = new UncheckedIOException(new IOException("broken"));
        assertThatThrownBy(() -> Closeables.closeAll(List.of(failing("a", unchecked), fine("b"))))
                .isInstanceOf(IOException.class).hasCause(unchecked);
        assertThat(closed).containsExactly("a", "b");
    }
}
