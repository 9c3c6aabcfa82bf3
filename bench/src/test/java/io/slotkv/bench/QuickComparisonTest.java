package io.slotkv.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickComparisonTest
{
    @Test
    void shouldCombineTheRelativeErrorsOfARatioInQuadrature()
    {
        // 10 ± 3 (30%) over 2 ± 0.8 (40%): ratio 5, relative error 50%
        assertEquals(2.5, QuickComparison.ratioError(10, 3, 2, 0.8), 1e-12);
        assertTrue(Double.isNaN(QuickComparison.ratioError(10, Double.NaN, 2, 0.8)));
    }

    @Test
    void shouldPrintEachScoreAndTheRatioWithTheirErrors()
    {
        final String row = QuickComparison.row("get (YCSB-C)", 10, 3, 2, 0.8, 0, 24);
        assertTrue(row.contains("10.00 ±   3.00"), row);
        assertTrue(row.contains("2.00 ±   0.80"), row);
        assertTrue(row.contains("5.00x ±  2.50"), row);
    }
}
