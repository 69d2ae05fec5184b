// Revocation-list figures for the issue notes (not a test): what a node pays for the list as a
// replicated record (sync/revocations.h), with a sealed LMDB store as on a real node.
//   revocations_bench   for lists of 1, 1,000, 10,000 and 100,000 revoked nodes:
//     bytes      the encoded list (the register value)
//     publish    PublishRevocations at the city (verify, one chained signed op, durable commit)
//     install    InstallRevocationsFromStore that installs it (read, open, verify, install)
//     recheck    the same call when nothing is newer: the cost paid by every sync batch that
//                changes the root scope
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/revocation.h"
#include "crypto/trust.h"
#include "store/store.h"
#include "sync/local_writer.h"
#include "sync/revocations.h"
#include "tests/store/data_key_sealer.h"
#include "tests/support/temp_dir.h"

namespace fulei::sync {
namespace {

constexpr uint64_t kNow = 1'764'000'000'000;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int Run() {
  crypto::SystemRandom random;
  crypto::SigningKey root = crypto::SigningKey::Generate(random);
  crypto::NodeIdentity city = crypto::NodeIdentity::Generate(random);
  store::testing::DataKeySealer sealer;
  const std::string parent = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  std::printf("%10s %10s %12s %12s %12s\n", "revoked", "bytes", "publish ms", "install ms",
              "recheck ms");
  for (size_t count : {size_t{1}, size_t{1000}, size_t{10000}, size_t{100000}}) {
    fulei::testing::TempDir dir(parent);  // declared first: removed after the store closes
    store::StoreOptions options;
    options.sealer = &sealer;
    options.node_id = city.node_id();
    options.reserve_bytes = 0;
    auto store = store::Store::Open(dir.path(), options);
    if (!store.ok()) {
      std::fprintf(stderr, "store: %s\n", store.status().ToString().c_str());
      return 1;
    }
    crdt::HybridClock clock;
    LocalWriter writer(**store, city.signing_key(), clock);
    crypto::RevocationList list{1, kNow, {}};
    for (size_t i = 0; i < count; ++i) list.revoked.push_back(1'000'003 * (i + 1));
    auto bytes = crypto::SignRevocationList(list, root);
    if (!bytes.ok()) return 1;

    crypto::TrustStore publisher(root.public_key()), receiver(root.public_key());
    auto t0 = Clock::now();
    auto ops = PublishRevocations(**store, writer, "jinjiang", publisher, *bytes, kNow);
    auto t1 = Clock::now();
    auto first = InstallRevocationsFromStore(**store, "jinjiang", receiver);
    auto t2 = Clock::now();
    constexpr int kRechecks = 20;
    for (int i = 0; i < kRechecks; ++i) {
      auto again = InstallRevocationsFromStore(**store, "jinjiang", receiver);
      if (!again.ok() || again->installed) return 1;
    }
    auto t3 = Clock::now();
    if (!ops.ok() || !first.ok() || !first->installed) {
      std::fprintf(stderr, "publish/install failed\n");
      return 1;
    }
    std::printf("%10zu %10zu %12.2f %12.2f %12.2f\n", count, bytes->size(), Ms(t1 - t0),
                Ms(t2 - t1), Ms(t3 - t2) / kRechecks);
  }
  return 0;
}

}  // namespace
}  // namespace fulei::sync

int main() { return fulei::sync::Run(); }
