#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# rrsa-profile.sh [COMMAND [ARG...]]: in a Pod of ACK with RRSA (RAM Roles for Service
# Accounts), make the aliyun CLI profile ackprof uses, of mode OIDC, from the three
# variables ACK's pod identity webhook injects, then run COMMAND in its place (exec).
#
#   ALIBABA_CLOUD_ROLE_ARN           acs:ram::ACCOUNT:role/NAME
#   ALIBABA_CLOUD_OIDC_PROVIDER_ARN  acs:ram::ACCOUNT:oidc-provider/NAME
#   ALIBABA_CLOUD_OIDC_TOKEN_FILE    the projected service account token (a path)
#   ALIBABA_CLOUD_REGION_ID          the region of the STS and API calls (required)
#   ACKPROF_PROFILE                  the profile to write [default]
#
# No secret is written or passed anywhere: the profile holds two ARNs and the token
# file's path; the CLI (and the Step 7 SDK, which reads the same profile) exchange the
# token for short-lived credentials at each call.  The aliyun CLI comes from PATH, or
# ACKPROF_ALIYUN.  Exit 78 (configuration) with one line when a variable is missing or
# malformed, or the token file cannot be read; the CLI's own status when it fails.
set -eu
me=rrsa-profile
die() { echo "$me: $*" >&2; exit 78; }
need() { # need NAME PATTERN WHAT
	eval "v=\${$1:-}"
	[ -n "$v" ] || die "$1 is not set ($3; is the pod's ServiceAccount annotated for RRSA and its namespace labelled pod-identity.alibabacloud.com/injection=on?)"
	case $v in
	$2) ;;
	*) die "$1 is not $3" ;;
	esac
}
need ALIBABA_CLOUD_ROLE_ARN 'acs:ram::[0-9]*:role/?*' "a RAM role ARN (acs:ram::ACCOUNT:role/NAME)"
need ALIBABA_CLOUD_OIDC_PROVIDER_ARN 'acs:ram::[0-9]*:oidc-provider/?*' \
	"an OIDC provider ARN (acs:ram::ACCOUNT:oidc-provider/NAME)"
need ALIBABA_CLOUD_OIDC_TOKEN_FILE '/?*' "an absolute path to the service account token"
need ALIBABA_CLOUD_REGION_ID '[a-z]*-[a-z0-9-]*' "a region id such as cn-hangzhou"
[ -r "$ALIBABA_CLOUD_OIDC_TOKEN_FILE" ] && [ -f "$ALIBABA_CLOUD_OIDC_TOKEN_FILE" ] ||
	die "cannot read the token file $ALIBABA_CLOUD_OIDC_TOKEN_FILE (is the projected token mounted?)"
profile=${ACKPROF_PROFILE:-default}
case $profile in
*[!A-Za-z0-9_.@-]* | '') die "ACKPROF_PROFILE '$profile' is not a profile name (letters, digits, '_', '-', '.', '@')" ;;
esac
aliyun=${ACKPROF_ALIYUN:-aliyun}
"$aliyun" configure set --profile "$profile" --mode OIDC \
	--ram-role-arn "$ALIBABA_CLOUD_ROLE_ARN" \
	--oidc-provider-arn "$ALIBABA_CLOUD_OIDC_PROVIDER_ARN" \
	--oidc-token-file "$ALIBABA_CLOUD_OIDC_TOKEN_FILE" \
	--role-session-name ackprof --region "$ALIBABA_CLOUD_REGION_ID" >/dev/null
[ $# -eq 0 ] && exit 0
exec "$@"
