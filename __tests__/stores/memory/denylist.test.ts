import { MemoryDenylistStore } from '../../../lib/stores/memory/denylist';
import { describeDenylistStoreContract } from '../denylist-contract';

describeDenylistStoreContract('MemoryDenylistStore', () => new MemoryDenylistStore());
