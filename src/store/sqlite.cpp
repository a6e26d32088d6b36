#include "store/sqlite.hpp"

#include <cassert>
#include <sqlite3.h>

namespace uplink::store {

namespace {

Error failure(sqlite3* database, int result_code)
{
    log(LogLevel::Debug, "store", "sqlite: {} (extended code {})", sqlite3_errmsg(database),
        sqlite3_extended_errcode(database));
    return sqlite_error(result_code);
}

} // namespace

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

std::string_view Statement::text(int column) const
{
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_.get(), column));
    if (!text)
        return {};
    return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column))};
}

} // namespace uplink::store
