using Npgsql;

namespace DataImport.PostgreSql;

// The fair claim: rank the domains, lock the best one no other claim holds or changed since, take its oldest claimable job.
public sealed partial class PostgreSqlImportJobStore
{
    // A claim that found every ranked domain taken, or its domain emptied, by other hosts' claims starts again; each
    // retry means another claim made progress, and past this many the worker polls again later instead of spinning.
    private const int ClaimRetries = 10;

    // How many of a domain's oldest queued jobs (besides its expired ones) a claim looks at, so a few jobs another
    // statement has locked (being cancelled, say) are stepped over; past that the claim starts again.
    private const int ClaimWindow = 16;

    // How many of the best ranked domains a claim tries to lock before it waits for the best one.
    private const int RankedDomains = 32;

    /// <inheritdoc />
    public override async ValueTask<StoredImportJob?> ClaimNextAsync(string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < ClaimRetries; attempt++)
        {
            var connection = await Database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var ranked = await RankDomainsAsync(connection, transaction, now, cancellationToken).ConfigureAwait(false);
                    if (ranked.Count == 0)
                    {
                        return null;
                    }

                    var domain = await LockDomainAsync(connection, transaction, ranked, cancellationToken).ConfigureAwait(false);
                    if (domain is null)
                    {
                        // Every candidate is being claimed from, or was since the ranking: wait for the best one's claim
                        // to commit, holding its row, and rank again (a new statement sees that claim). Still the best,
                        // it is ours; else start again.
                        await WaitForDomainAsync(connection, transaction, ranked[0].Domain, cancellationToken).ConfigureAwait(false);
                        var fresh = await RankDomainsAsync(connection, transaction, now, cancellationToken).ConfigureAwait(false);
                        if (fresh.Count == 0)
                        {
                            return null;
                        }

                        if (fresh[0].Domain != ranked[0].Domain)
                        {
                            continue;
                        }

                        domain = fresh[0].Domain;
                    }

                    var claimed = await ClaimInDomainAsync(connection, transaction, domain, workerId, now, leaseExpires, cancellationToken).ConfigureAwait(false);
                    if (claimed is not null)
                    {
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return claimed;
                    }
                }
            }
        }

        return null;
    }

    // Domains with a claimable job (queued, or running with an expired or released lease), best first: fewer running
    // jobs, then served longest ago (last_claim, from one sequence for every host), then the oldest queued job. Only
    // domains never served tie on last_claim, and those have no running job, so their oldest claimable job is their
    // oldest queued one. The recursive part walks the distinct domains of live jobs through ix_import_jobs_live, and
    // every per-domain value is a seek in ix_import_jobs_queued or ix_import_jobs_running, so this reads live jobs'
    // index entries, never the history of finished jobs; the running count reads one entry per running job of the domain.
    private async Task<List<(string Domain, long LastClaim)>> RankDomainsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sql = $"""
            WITH RECURSIVE live(domain) AS (
                (SELECT j.domain FROM {Jobs} j WHERE j.status IN (0, 1) ORDER BY j.domain LIMIT 1)
                UNION ALL
                SELECT (SELECT j.domain FROM {Jobs} j WHERE j.status IN (0, 1) AND j.domain > live.domain ORDER BY j.domain LIMIT 1)
                FROM live WHERE live.domain IS NOT NULL),
            candidates AS (
                SELECT live.domain,
                    (SELECT j.seq FROM {Jobs} j WHERE j.status = 0 AND j.domain = live.domain ORDER BY j.seq LIMIT 1) AS oldest,
                    EXISTS (SELECT 1 FROM {Jobs} j WHERE j.status = 1 AND j.domain = live.domain AND (j.lease_expires < @now OR j.lease_expires IS NULL)) AS expired,
                    (SELECT count(*) FROM {Jobs} j WHERE j.status = 1 AND j.domain = live.domain AND j.lease_expires >= @now) AS running
                FROM live WHERE live.domain IS NOT NULL)
            SELECT d.domain, d.last_claim FROM candidates c JOIN {Database.Domains} d ON d.domain = c.domain
            WHERE c.oldest IS NOT NULL OR c.expired
            ORDER BY c.running, d.last_claim, c.oldest
            LIMIT {RankedDomains}
            """;
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(Time("now", now));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var ranked = new List<(string, long)>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    ranked.Add((reader.GetString(0), reader.GetInt64(1)));
                }

                return ranked;
            }
        }
    }

    // Locks the best ranked domain that no other claim holds (SKIP LOCKED) and that nobody claimed from since the
    // ranking (its last claim is still the one ranked; a domain row that changed is re-checked against the new row), so
    // a claim never acts on a ranking another host's claim has made stale.
    private async Task<string?> LockDomainAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<(string Domain, long LastClaim)> ranked, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(
            $"""
            SELECT d.domain FROM unnest(@domains, @claims) WITH ORDINALITY AS r(domain, last_claim, n)
            JOIN {Database.Domains} d ON d.domain = r.domain
            WHERE d.last_claim = r.last_claim
            ORDER BY r.n LIMIT 1
            FOR UPDATE OF d SKIP LOCKED
            """,
            connection,
            transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]>("domains", [.. ranked.Select(r => r.Domain)]));
            command.Parameters.Add(new NpgsqlParameter<long[]>("claims", [.. ranked.Select(r => r.LastClaim)]));
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
    }

    private async Task WaitForDomainAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string domain, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand($"SELECT 1 FROM {Database.Domains} WHERE domain = @domain FOR UPDATE", connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(Text("domain", domain));
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Takes the domain's oldest claimable job and records the claim on the domain. The few candidates are gathered
    // first (MATERIALIZED, so the plan never depends on statistics of a queue that changes by the second), then locked
    // in order. SKIP LOCKED passes over a job another statement is changing (a cancellation, say); the row is re-checked
    // after it is locked, so a job another host has just claimed is never taken again.
    private async Task<StoredImportJob?> ClaimInDomainAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string domain, string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        var sql = $"""
            WITH oldest AS MATERIALIZED (
                (SELECT q.id, q.seq FROM {Jobs} q WHERE q.status = 0 AND q.domain = @domain ORDER BY q.seq LIMIT {ClaimWindow})
                UNION ALL
                SELECT r.id, r.seq FROM {Jobs} r WHERE r.status = 1 AND r.domain = @domain AND (r.lease_expires < @now OR r.lease_expires IS NULL)),
            next AS (
                SELECT j.id FROM oldest o JOIN {Jobs} j ON j.id = o.id
                WHERE j.status = 0 OR (j.status = 1 AND (j.lease_expires < @now OR j.lease_expires IS NULL))
                ORDER BY o.seq LIMIT 1
                FOR UPDATE OF j SKIP LOCKED),
            claimed AS (
                UPDATE {Jobs} j SET status = 1, worker_id = @worker, lease_expires = @lease, last_heartbeat = @now, attempts = j.attempts + 1
                FROM next WHERE j.id = next.id
                RETURNING j.*),
            served AS (
                UPDATE {Database.Domains} d SET last_claim = nextval('{Database.Claims}')
                WHERE d.domain = @domain AND EXISTS (SELECT 1 FROM claimed))
            SELECT {Columns} FROM claimed
            """;
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(Text("domain", domain));
            command.Parameters.Add(Text("worker", workerId));
            command.Parameters.Add(Time("now", now));
            command.Parameters.Add(Time("lease", leaseExpires));
            var rows = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
            return rows.Count > 0 ? rows[0] : null;
        }
    }
}
