#include "store_jobs.h"

#include <chrono>
#include <set>

#include "local_control.h"
#include "signaal/log.h"
#include "signaal/period.h"

namespace signaal::node {
namespace {

void SetStage(JobProgress* progress, JobProgress::Stage stage) {
  if (progress) progress->stage.store(stage, std::memory_order_relaxed);
}

wire::NodeResponse Import(const wire::ImportSignals& req, int64_t now, const NodeConfig& config,
                          const ReferenceData& ref, SignalStore& store, JobProgress* progress) {
  std::string name = req.file_name().empty() ? "the file" : req.file_name();
  // One pass: each valid row goes straight into the store's batch, so the
  // node never holds the whole file as signals; the batch is written only if
  // the file may be imported (all or nothing), after the last row.
  SignalStore::Writer writer(store, now);
  std::set<std::string> periods;
  wire::ImportResult result;
  SetStage(progress, JobProgress::kReading);
  uint64_t rows = 0;
  auto outcome = ParseSignalCsv(req.content(), name, ref, config.type, DateFromUnix(now),
                                [&](ValidatedSignal&& v) -> Status {
                                  periods.insert(v.record.period());
                                  // Every 4,096 rows: often enough for `status`, rare enough to cost nothing.
                                  if (progress && (++rows & 4095) == 0) {
                                    progress->rows.store(rows, std::memory_order_relaxed);
                                  }
                                  return req.dry_run() ? Status::Ok() : writer.Append(v);
                                });
  if (!outcome.ok()) return NodeError(outcome.status());
  if (progress) progress->rows.store(outcome->rows, std::memory_order_relaxed);
  bool any_error = !outcome->errors.empty();
  result.set_rows(outcome->rows);
  for (const auto& e : outcome->errors) *result.add_errors() = e;
  if (any_error && !req.skip_invalid()) {
    auto r = NodeError(Status::Usage(std::to_string(outcome->errors.size()) + " of " +
                                     std::to_string(outcome->rows) + " rows in " + name +
                                     " have errors; nothing was imported"));
    *r.mutable_import_result() = result;
    return r;
  }
  for (const auto& p : periods) result.add_periods(p);
  result.set_skipped(static_cast<uint32_t>(outcome->errors.size()));
  if (!req.dry_run()) {
    uint64_t imported = writer.count();
    SetStage(progress, JobProgress::kWriting);
    if (Status s = store.Commit(writer); !s.ok()) return NodeError(s.Prefixed("nothing of " + name + " was imported"));
    result.set_imported(static_cast<uint32_t>(imported));
    spdlog::info("imported {} signals ({} rows, {} skipped) into {} weeks", imported, outcome->rows,
                 outcome->errors.size(), periods.size());
  }
  auto r = NodeOk();
  *r.mutable_import_result() = result;
  return r;
}

wire::NodeResponse Erase(const wire::EraseSignals& req, SignalStore& store, JobProgress* progress) {
  if (req.id().empty() == req.person().empty()) {
    return NodeError(Status::Usage("give exactly one of --id and --person"));
  }
  SetStage(progress, JobProgress::kReading);
  if (!req.entered_by().empty()) {
    // The intake page's volunteer erases only what they entered themselves.
    if (req.id().empty()) return NodeError(Status::Refused("the intake page erases one signal by its id"));
    auto s = store.Find(req.id());
    if (!s.ok()) return NodeError(s.status());
    if (s->entered_by() != req.entered_by()) {
      return NodeError(Status::Refused("signal " + req.id() + " was not entered by this account"));
    }
  }
  // The store compacts after the synced delete (SignalStore::Erase).
  auto erased = req.id().empty() ? store.EraseByPerson(req.person()) : store.EraseById(req.id());
  if (!erased.ok()) return NodeError(erased.status());
  if (erased->count == 0) {
    return NodeError(Status::Usage(req.id().empty() ? "no signals with that citizen reference"
                                                    : "no signal with id '" + req.id() + "'"));
  }
  spdlog::info("erased {} signals on request; re-summarising {} weeks", erased->count, erased->periods.size());
  auto r = NodeOk();
  r.mutable_erased()->set_erased(erased->count);
  for (const auto& p : erased->periods) r.mutable_erased()->add_periods(p);
  return r;
}

wire::NodeResponse Backup(const wire::BackupRequest& req, const NodeConfig& config, SignalStore& store,
                          JobProgress* progress) {
  BackupSpec spec;
  spec.out = req.out();
  spec.data_dir = config.data_dir;
  spec.manifest = {{"what", kNodeBackupWhat}, {"node_id", config.id}, {"name", config.name}};
  if (req.with_keys()) spec.key_files.push_back(config.key_file);
  SetStage(progress, JobProgress::kCopying);
  auto done = store.Backup(spec);
  if (!done.ok()) return NodeError(done.status());
  spdlog::info("backup of {} signals in {} ({} files, {} bytes, {} ms{})", store.CountSignals(), done->path,
               done->files, done->bytes, done->millis, req.with_keys() ? ", with the key file" : "");
  auto r = NodeOk();
  auto* b = r.mutable_backup();
  b->set_path(done->path);
  b->set_bytes(done->bytes);
  b->set_files(done->files);
  b->set_millis(done->millis);
  b->set_manifest(done->manifest);
  return r;
}

}  // namespace

const char* JobProgress::StageName(int stage) {
  switch (stage) {
    case kQueued: return "starting";
    case kReading: return "reading";
    case kWriting: return "writing";
    case kCompacting: return "compacting";
    case kCopying: return "copying";
  }
  return "working";
}

bool IsStoreJob(const wire::NodeRequest& request) {
  return request.has_import_csv() || request.has_erase() || request.has_backup();
}

std::string StoreJob::Describe() const {
  if (request.has_import_csv()) {
    return std::string(request.import_csv().dry_run() ? "check " : "import ") +
           (request.import_csv().file_name().empty() ? "a CSV file" : request.import_csv().file_name());
  }
  if (request.has_erase()) return "erasure";
  if (request.has_backup()) return "backup";
  return "retention purge";
}

void RunStoreJob(StoreJob& job, const NodeConfig& config, const ReferenceData& ref, SignalStore& store,
                 JobProgress* progress) {
  auto started = std::chrono::steady_clock::now();
  if (job.request.has_import_csv()) {
    job.response = Import(job.request.import_csv(), job.now, config, ref, store, progress);
    // The file's bytes are not needed any more; freed here, not on the loop.
    std::string().swap(*job.request.mutable_import_csv()->mutable_content());
  } else if (job.request.has_erase()) {
    job.response = Erase(job.request.erase(), store, progress);
  } else if (job.request.has_backup()) {
    job.response = Backup(job.request.backup(), config, store, progress);
  } else {
    SetStage(progress, JobProgress::kWriting);
    auto purged = store.PurgeBefore(job.purge_before);
    job.purge_status = purged.status();
    job.purged = purged.ok() ? *purged : 0;
  }
  job.millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace signaal::node
