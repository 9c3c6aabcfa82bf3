package io.slotkv.map;

/**
 * {@link StoreBackupTest} with no memory to stage a backup in: every backup's new file is a mapped store file, as
 * for a store larger than half the free memory.
 */
class MappedStoreBackupTest extends StoreBackupTest
{
    @Override
    long stagingBudget()
    {
        return 0;
    }
}
