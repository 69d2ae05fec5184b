// A simulated power cut for the store's files, in the manner of Jepsen's LazyFS: writes that
// were never made durable are lost.
//
// The writing process (the crash harness's child) calls StartVolatileWrites(dir, journal). From
// then on every pwrite/writev to a regular file directly in `dir` (LMDB's lock.mdb excepted: its
// content is rebuilt at open) goes through io_faults.cc's WriteObserver, which first appends the
// bytes it is about to overwrite (and the file's size) to an undo journal in `journal`. A write
// becomes durable
//   - with every write before it, when fdatasync or fsync is called on the file (through any
//     descriptor): the file's journal is emptied. libc's fsync is not called: this process never
//     loses power, and the test runs at page-cache speed;
//   - alone, when it is made through a descriptor opened with O_DSYNC or O_SYNC (LMDB's meta
//     page descriptor): its bytes are journalled again after it returns, as a redo record.
// The journal is written with plain write(2) before the data write, so it survives the SIGKILL
// that ends the writer, wherever it lands (a record cut short by the kill is ignored: its data
// write had not started).
//
// After the writer died, another process calls PowerCut(dir, journal, ...): for each file it
// undoes the journalled writes in reverse order (content and size), keeping a prefix of them
// when asked (a disk that wrote back in order up to some point), then redoes the durable
// (O_DSYNC) writes among those undone, and deletes the journal. What is left is what a disk that
// honours fdatasync/O_DSYNC and nothing more may hold after losing power at that moment.
//
// Not modelled: directory entries (a file created and never followed by an fsync of its
// directory survives here), torn sectors inside one write, writes through a writable mmap (the
// store never maps writable, store.h; a test should check that writes were seen at all).
// Requires io_faults.cc in the same executable. Thread-compatible: one thread writes.
#ifndef FULEI_TESTS_STORE_POWER_CUT_H_
#define FULEI_TESTS_STORE_POWER_CUT_H_

#include <cstdint>
#include <string>

namespace fulei::store::testing {

// From now on, in this process, writes to files in `dir` are journalled in `journal` (a
// directory, created if absent). Aborts when `journal` cannot be made.
void StartVolatileWrites(const std::string& dir, const std::string& journal);
// Stops journalling (journals already written stay for PowerCut).
void StopVolatileWrites();

enum class CutMode {
  kDropAll,     // every write not made durable is lost (LazyFS's default)
  kKeepPrefix,  // the unsynced writes of each file reached the disk in order up to a random one
};

struct PowerCutReport {
  uint64_t files = 0;           // files with a journal
  uint64_t writes_dropped = 0;  // non-durable writes undone
  uint64_t durable_redone = 0;  // O_DSYNC writes undone and written again
  uint64_t bytes_dropped = 0;   // bytes of the writes dropped
  std::string error;            // empty unless a journal or a file could not be read or written
};

// Applies the loss of every write of `dir`'s files that `journal` holds as not durable, and
// empties `journal`. `seed` picks the prefix in kKeepPrefix. Call it only when no process has
// the files open for writing.
PowerCutReport PowerCut(const std::string& dir, const std::string& journal, CutMode mode,
                        uint64_t seed);

}  // namespace fulei::store::testing

#endif  // FULEI_TESTS_STORE_POWER_CUT_H_
