#!/usr/bin/env bash
# Back up the audit trail: every moderator and system action, the review items and their decisions, the
# statements of reasons sent to authors (the DSA Art. 17 record), the policy's evaluations, the outbox and
# each webhook attempt, with the submissions and revisions they point
# at (so a restore has no dangling keys). Run nightly (systemd: aidisclosure-backup.timer; compose: the
# `backup` service) beside the usual full-database backup; keep these dumps as long as the compliance
# report promises (the EU AI Act transparency record).
#
#   DATABASE_URL=postgres://... BACKUP_DIR=/var/backups/aidisclosure deploy/backup-audit.sh
#
# Writes $BACKUP_DIR/audit-<UTC timestamp>.dump (pg_dump custom format; restore with pg_restore) and
# deletes dumps older than $BACKUP_KEEP_DAYS (default 400).
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/aidisclosure}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-400}"
mkdir -p "$BACKUP_DIR"
tables=(moderation_action moderation_reviewitem moderation_evaluation moderation_classifierresult
        moderation_outboxevent moderation_webhookdelivery moderation_webhookendpoint
        moderation_submission moderation_revision moderation_apiclient moderation_rejectiontemplate
        moderation_policyrule moderation_statementofreasons)
args=()
for table in "${tables[@]}"; do args+=(--table="$table"); done
target="$BACKUP_DIR/audit-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --dbname="$DATABASE_URL" --format=custom --no-owner "${args[@]}" --file="$target.partial"
mv "$target.partial" "$target"
find "$BACKUP_DIR" -name 'audit-*.dump' -mtime "+$KEEP_DAYS" -delete
echo "$target"
