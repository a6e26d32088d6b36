#!/bin/sh
# netifd's protocol handler for modems that uplinkd manages: `option proto 'uplink'`.
#
#   config interface 'wwan'
#   	option proto 'uplink'
#   	option modem 'wan1'        # the modem's WAN number, or its USB path as `uplink modems` shows it
#
# uplinkd reads /etc/config/network too: a modem named here is netifd's, so uplinkd connects it
# only when this interface is set up, and leaves its addresses, routes and NAT to netifd and fw4.
# Setup starts `uplink netifd-session` as the interface's task: it asks uplinkd to connect, hands
# the connection to netifd through /lib/netifd/uplink-update, and exits when the connection
# drops, so that netifd takes the interface down and sets it up again. Teardown stops the task
# (SIGTERM), which disconnects the modem.

[ -n "$INCLUDE_ONLY" ] || {
	. ../netifd-proto.sh
	init_proto "$@"
}

proto_uplink_init_config() {
	available=1     # the modem comes and goes with uplinkd, not with a device netifd watches
	no_device=1     # `device` is not a netifd device: the session names wwan0 when it is up
	proto_config_add_string modem
	proto_config_add_defaults
}

proto_uplink_setup() {
	local interface="$1"
	local modem
	json_get_vars modem
	if [ -z "$modem" ]; then
		echo "interface $interface: option modem is missing (wan1, or the modem's USB path)"
		proto_notify_error "$interface" NO_MODEM
		proto_block_restart "$interface"
		return 1
	fi
	proto_run_command "$interface" uplink netifd-session "$interface" "$modem"
}

proto_uplink_teardown() {
	local interface="$1"
	proto_kill_command "$interface"
}

[ -n "$INCLUDE_ONLY" ] || add_protocol uplink
