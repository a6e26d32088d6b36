#include "store/sqlite.hpp"

#include <cassert>
#include <cerrno>
#include <string>
#include <unistd.h>
#include <sqlite3.h>

namespace uplink::store {

namespace {

Error failure(sqlite3* database, int result_code)
{
    log(LogLevel::Debug, "store", "sqlite: {} (extended code {}, errno {})",
        sqlite3_errmsg(database), sqlite3_extended_errcode(database),
        sqlite3_system_errno(database));
    return sqlite_error(result_code);
}

// SQLite reports a write-ahead log it cannot create as SQLITE_READONLY_DIRECTORY when the
// directory's mode forbids it (EACCES), but as SQLITE_CANTOPEN when the directory is on a
// read-only file system (EROFS: flash remounted read-only after errors, a read-only mount).
bool directory_read_only(const std::string& path)
{
    auto slash = path.rfind('/');
    std::string directory = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    return ::access(directory.c_str(), W_OK) != 0 && (errno == EROFS || errno == EACCES);
}

Result<std::int64_t> query_integer(sqlite3* database, const char* sql)
{
    auto statement = Statement::prepare(database, sql);
    if (!statement)
        return statement.error();
    auto row = statement->step();
    if (!row)
        return row.error();
    std::int64_t value = *row ? statement->integer(0) : 0;
    statement->finish();
    return value;
}

// Refuses what is not a database of this schema, before anything is written to it. Returns the
// file's schema version (0: a new, empty database).
Result<std::int64_t> check_file(sqlite3* database, const Schema& schema)
{
    // The first read: garbage in the header fails here (SQLITE_NOTADB), damaged pages below.
    auto check = Statement::prepare(database, "PRAGMA quick_check");
    if (!check)
        return check.error();
    auto row = check->step();
    if (!row)
        return row.error();
    if (!*row || check->text(0) != "ok") {
        if (*row)
            log(LogLevel::Debug, "store", "quick_check: {}", check->text(0));
        return Errc::Corrupt;
    }
    check->finish();

    auto id = query_integer(database, "PRAGMA application_id");
    auto version = query_integer(database, "PRAGMA user_version");
    auto tables = query_integer(database, "SELECT count(*) FROM sqlite_master");
    for (auto* result : {&id, &version, &tables})
        if (!*result)
            return result->error();
    auto newest = static_cast<std::int64_t>(schema.migrations.size());
    if (*id == schema.application_id) {
        if (*version > newest)
            return Errc::TooNew;
        return *version;
    }
    if (*id == 0 && *version == 0 && *tables == 0)
        return 0;
    return Errc::ForeignDatabase;
}

Result<void> migrate(sqlite3* database, const Schema& schema, std::int64_t version)
{
    auto newest = static_cast<std::int64_t>(schema.migrations.size());
    if (version == newest)
        return {};
    return in_transaction(database, [&]() -> Result<void> {
        for (auto step = version; step < newest; ++step)
            if (auto done = execute(database, schema.migrations[static_cast<std::size_t>(step)]);
                !done)
                return done;
        return execute(database,
            fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {};",
                schema.application_id, newest)
                .c_str());
    });
}

// Everything after the file is open: refuse what is not ours, tune, migrate.
Result<void> prepare(sqlite3* raw, const Schema& schema)
{
    // Exclusive locking: one process owns the file while it is open, and WAL then keeps its index
    // in memory instead of a shared-memory file (which JFFS2, on some routers' flash, cannot map).
    if (auto locked = execute(raw, "PRAGMA locking_mode = EXCLUSIVE"); !locked)
        return locked.error();
    auto version = check_file(raw, schema);
    if (!version)
        return version.error();
    // WAL with synchronous=NORMAL: a commit appends to the log without an fsync, so a flush costs
    // the flash little. A power cut may lose the last flushes, never consistency.
    if (auto tuned = execute(raw,
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
            "PRAGMA journal_size_limit = 1048576;");
        !tuned)
        return tuned.error();
    return migrate(raw, schema, *version);
}

} // namespace

Result<Database> open_database(const std::string& path, const Schema& schema)
{
    sqlite3* raw = nullptr;
    int opened = sqlite3_open_v2(path.c_str(), &raw,
        // NOFOLLOW (SQLite 3.31): a link put where the database belongs is refused, not followed.
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, nullptr);
    Database database(raw); // closed on every return below, even after a failed open
    if (opened != SQLITE_OK) {
        log(LogLevel::Debug, "store", "{}: {}", path, raw ? sqlite3_errmsg(raw) : "out of memory");
        return sqlite_error(opened);
    }
    // SQLite opens a write-protected file read-only rather than failing.
    if (sqlite3_db_readonly(raw, "main") == 1)
        return Errc::ReadOnly;
    if (auto prepared = prepare(raw, schema); !prepared) {
        // The file opened, so what could not be opened is the write-ahead log beside it.
        if (prepared.error() == Errc::CannotOpen && directory_read_only(path))
            return Errc::ReadOnly;
        return prepared.error();
    }
    return database;
}

Result<std::string> serialize(sqlite3* database)
{
    sqlite3_int64 size = 0;
    unsigned char* bytes = sqlite3_serialize(database, "main", &size, 0);
    if (!bytes)
        return Errc::Database; // out of memory, or an I/O error reading a page
    std::string copy(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
    sqlite3_free(bytes);
    return copy;
}

bool transaction_open(sqlite3* database)
{
    return !sqlite3_get_autocommit(database);
}

Error sqlite_error(int result_code)
{
    switch (result_code & 0xff) {
    case SQLITE_CANTOPEN:
        return Errc::CannotOpen;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return Errc::Corrupt;
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return Errc::ReadOnly;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return Errc::Busy;
    case SQLITE_FULL:
        return Errc::Full;
    case SQLITE_IOERR:
        return Errc::Io;
    default:
        return Errc::Database;
    }
}

void DatabaseCloser::operator()(sqlite3* database) const
{
    sqlite3_close_v2(database);
}

Result<void> execute(sqlite3* database, const char* sql)
{
    char* message = nullptr;
    int result = sqlite3_exec(database, sql, nullptr, nullptr, &message);
    if (result == SQLITE_OK)
        return {};
    log(LogLevel::Debug, "store", "sqlite: {}", message ? message : sqlite3_errstr(result));
    sqlite3_free(message);
    return sqlite_error(result);
}

void Statement::Finalizer::operator()(sqlite3_stmt* statement) const
{
    sqlite3_finalize(statement);
}

Result<Statement> Statement::prepare(sqlite3* database, std::string_view sql)
{
    sqlite3_stmt* raw = nullptr;
    int result = sqlite3_prepare_v3(database, sql.data(), static_cast<int>(sql.size()),
        SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (result != SQLITE_OK)
        return failure(database, result);
    Statement statement;
    statement.statement_.reset(raw);
    return statement;
}

Statement& Statement::start()
{
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
    return *this;
}

Statement& Statement::bind(int position, std::int64_t value)
{
    // Binding fails only for a bad position or an oversized value: bugs, not input.
    [[maybe_unused]] int result = sqlite3_bind_int64(statement_.get(), position, value);
    assert(result == SQLITE_OK);
    return *this;
}

Statement& Statement::bind(int position, std::string_view value)
{
    [[maybe_unused]] int result = sqlite3_bind_text64(
        statement_.get(), position, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    assert(result == SQLITE_OK);
    return *this;
}

Statement& Statement::bind(int position, std::optional<int> value)
{
    if (value)
        return bind(position, std::int64_t {*value});
    [[maybe_unused]] int result = sqlite3_bind_null(statement_.get(), position);
    assert(result == SQLITE_OK);
    return *this;
}

Result<bool> Statement::step()
{
    int result = sqlite3_step(statement_.get());
    if (result == SQLITE_ROW)
        return true;
    if (result == SQLITE_DONE)
        return false;
    // Spelled out: an error_code also converts to bool.
    return Result<bool>(
        boost::system::in_place_error, failure(sqlite3_db_handle(statement_.get()), result));
}

Result<void> Statement::run()
{
    auto row = step();
    while (row && *row)
        row = step();
    finish();
    if (!row)
        return row.error();
    return {};
}

void Statement::finish()
{
    sqlite3_reset(statement_.get());
}

std::int64_t Statement::integer(int column) const
{
    return sqlite3_column_int64(statement_.get(), column);
}

std::optional<std::int64_t> Statement::optional_integer(int column) const
{
    if (sqlite3_column_type(statement_.get(), column) == SQLITE_NULL)
        return std::nullopt;
    return integer(column);
}

std::string_view Statement::text(int column) const
{
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_.get(), column));
    if (!text)
        return {};
    return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column))};
}

} // namespace uplink::store
