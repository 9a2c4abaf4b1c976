-- postgresql-roles.sql — who may do what in a service hall's PostgreSQL registry
-- (docs/deployment.md).  Run it as the registry database's owner, in that database, after
-- `reg-registry init` has made the schema, and again after every regkit upgrade that changes
-- the schema (GRANT ... ON ALL TABLES covers the tables that exist when it runs):
--
--   psql -X -v ON_ERROR_STOP=1 -d 'postgresql://regkit_owner@db.hall/regkit_150302' \
--        -f share/regkit/schemas/postgresql-roles.sql
--
-- It makes five group roles (NOLOGIN; once per server, kept if they exist) and grants each
-- exactly what its tools write; every one of them reads the whole registry.  A machine logs in
-- with a role of its own that is a member of one group:
--
--   CREATE ROLE window01 LOGIN PASSWORD '…' IN ROLE regkit_window;
--
--   regkit_window      reg-apply                   accepts: dossiers, bodies, names,
--                                                  commitments, acceptance serials, events
--   regkit_department  reg-approve, reg-merge      records verdicts, sets states, releases the
--                                                  name of a rejected dossier
--   regkit_issuer      reg-issue, reg-seal         issuances, archives, seals, their serials
--   regkit_supervisor  reg-status --escalate       escalation slips
--   regkit_auditor     reg-status, reg-verify      reads only (the tools open it read-only)
--
-- The events log and the archives stay append-only whatever is granted: their triggers refuse
-- UPDATE, DELETE and TRUNCATE to every role but a superuser that disables them.

DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['regkit_window', 'regkit_department', 'regkit_issuer',
				 'regkit_supervisor', 'regkit_auditor'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA public
	TO regkit_window, regkit_department, regkit_issuer, regkit_supervisor, regkit_auditor;

-- one-window acceptance (reg-apply)
GRANT INSERT ON dossiers, bodies, names, commitments, events TO regkit_window;
GRANT INSERT, UPDATE ON serials TO regkit_window;
GRANT USAGE ON SEQUENCE events_id_seq TO regkit_window;

-- parallel approval and its fan-in (reg-approve, reg-merge)
GRANT INSERT ON approvals, bodies, events TO regkit_department;
GRANT UPDATE ON dossiers, commitments TO regkit_department;
GRANT DELETE ON names TO regkit_department;
GRANT USAGE ON SEQUENCE approvals_id_seq, events_id_seq TO regkit_department;

-- one-window issuance and the seal set (reg-issue, reg-seal)
GRANT INSERT ON issuances, archives, seals, events TO regkit_issuer;
GRANT UPDATE ON dossiers, issuances TO regkit_issuer;
GRANT INSERT, UPDATE ON serials TO regkit_issuer;
GRANT USAGE ON SEQUENCE events_id_seq TO regkit_issuer;

-- escalation slips (reg-status --escalate)
GRANT INSERT ON slips, events TO regkit_supervisor;
GRANT USAGE ON SEQUENCE events_id_seq TO regkit_supervisor;
