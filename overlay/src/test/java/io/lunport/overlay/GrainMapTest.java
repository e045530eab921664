package io.lunport.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GrainMapTest {

    @Test
    void countsEveryStateLikeAGrainByGrainScan() {
        // 100 003 grains: several map pages and a last word only partly used.
        GrainMap map = new GrainMap(100_003);
        Random random = new Random(6);
        for (int i = 0; i < 40_000; i++) {
            map.set(random.nextInt((int) map.grains()), random.nextInt(3));
        }
        map.set(map.grains() - 1, GrainMap.PRESENT);
        for (int state : new int[] {GrainMap.NOT_PRESENT, GrainMap.PRESENT, GrainMap.ZERO}) {
            long oneByOne = 0;
            for (long g = 0; g < map.grains(); g++) {
                oneByOne += map.state(g) == state ? 1 : 0;
            }
            assertThat(map.count(state)).as("state %d", state).isEqualTo(oneByOne);
        }
    }
}
