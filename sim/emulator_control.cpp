// Executing control requests against the emulator; replies as JSON lines (docs/sim-control.md).
#include "sim/emulator.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace uplink::sim {

namespace json = boost::json;

namespace {

std::string ok(json::object fields = {})
{
    json::object reply {{"ok", true}};
    for (auto& field : fields)
        reply.insert(std::move(field));
    return json::serialize(reply);
}

json::array bearers(const Modem& modem)
{
    json::array list;
    for (const auto& bearer : modem.bearers()) {
        const auto& addresses = bearer.addresses;
        json::object entry {
            {"handle", bearer.handle},
            {"cid", bearer.cid},
            {"apn", bearer.apn},
            {"family", to_string(bearer.family)},
            {"address",
                bearer.family == IpFamily::V4 ? format_ipv4(addresses.ipv4)
                                              : format_ipv6(addresses.ipv6)},
            {"client", bearer.owner ? json::value(*bearer.owner) : json::value(nullptr)},
        };
        list.push_back(std::move(entry));
    }
    return list;
}

} // namespace

std::string Emulator::handle_control(std::string_view line)
{
    std::string message;
    auto request = parse_control_request(line, message);
    if (!request)
        return control_error(message);
    if (request->command == ControlCommand::Status)
        return status();
    auto device = find_device(*request, message);
    if (!device)
        return control_error(message);
    log(LogLevel::Debug, "uplink-sim", "control: {} {}", to_string(request->command),
        (*device)->spec.id);
    return execute(*request, **device);
}

Result<Emulator::Device*> Emulator::find_device(const ControlRequest& request, std::string& message)
{
    if (!request.modem) {
        if (devices_.size() == 1)
            return devices_.front().get();
        message = fmt::format("give \"modem\": the scenario has {} modems", devices_.size());
        return make_error_code(ControlErrc::BadRequest);
    }
    for (auto& device : devices_)
        if (device->spec.id == *request.modem)
            return device.get();
    message = fmt::format("unknown modem \"{}\"", *request.modem);
    return make_error_code(ControlErrc::BadRequest);
}

std::string Emulator::execute(const ControlRequest& request, Device& device)
{
    const auto& id = device.spec.id;
    if (device.model)
        deliver(
            device, device.model->advance(Clock::now())); // due events first: act on the present
    switch (request.command) {
    case ControlCommand::Unplug:
        if (device.presence == Presence::Out)
            return control_error(id + " is not plugged");
        device.presence = Presence::Out;
        unplug(device);
        return ok({{"modem", id}});
    case ControlCommand::Replug:
        device.presence = Presence::In;
        unplug(device);
        if (device.port_power == PortPower::Off)
            return ok({{"modem", id}}); // on the bus once its port is switched on
        if (auto plugged = plug(device); !plugged)
            return control_error(fmt::format("cannot plug {}: {}", id, plugged.error().message()));
        return ok({{"modem", id}});
    case ControlCommand::SimRemove:
        return sim_remove(device);
    case ControlCommand::SimInsert:
        return sim_insert(request, device);
    case ControlCommand::Hang:
    case ControlCommand::Unhang:
    case ControlCommand::Garbage:
        return port_action(request, device);
    case ControlCommand::Counters:
        return counters(device);
    case ControlCommand::BearerDrop:
        return bearer_drop(request, device);
    case ControlCommand::Link:
        return set_link(request, device);
    case ControlCommand::Status:
        return status();
    default:
        return change(request, device);
    }
}

// A change of the world or of the modem's behaviour: applied to the model while plugged, else
// kept for the next plug.
std::string Emulator::change(const ControlRequest& request, Device& device)
{
    auto now = Clock::now();
    auto* modem = device.model.get();
    auto& surroundings = device.surroundings;
    auto access = request.command == ControlCommand::Detach ? NetworkAccess::Detached
                                                            : NetworkAccess::Allowed;
    switch (request.command) {
    case ControlCommand::SetSignal:
        if (request.signal.operator_plmn
            && scenario_.find_operator(*request.signal.operator_plmn) == nullptr)
            return control_error(
                "operator: no operator " + *request.signal.operator_plmn + " in the scenario");
        if (modem != nullptr)
            modem->change_radio(request.signal, now);
        else
            request.signal.apply_to(surroundings.radio);
        break;
    case ControlCommand::Detach:
    case ControlCommand::Attach:
        if (modem != nullptr)
            modem->set_network_access(access, now);
        else
            surroundings.network = access;
        break;
    case ControlCommand::Latency:
        if (modem != nullptr)
            modem->set_latency(request.latency);
        else
            surroundings.latency = request.latency;
        break;
    case ControlCommand::Override:
        if (modem != nullptr)
            modem->add_override(request.override_entry);
        else
            surroundings.overrides.push_back(request.override_entry);
        break;
    case ControlCommand::ClearOverrides:
        if (modem != nullptr)
            modem->clear_overrides();
        else
            surroundings.overrides.clear();
        break;
    default:
        return control_error("not a change");
    }
    if (modem != nullptr) {
        deliver(device, modem->advance(now));
        kick(device);
    }
    return ok({{"modem", device.spec.id}});
}

std::string Emulator::sim_remove(Device& device)
{
    auto now = Clock::now();
    std::optional<SimCard> card;
    if (device.model) {
        card = device.model->remove_sim(now);
        deliver(device, device.model->advance(now));
        kick(device);
    } else {
        card = std::move(device.card);
        device.card.reset();
    }
    if (!card)
        return control_error(device.spec.id + " has no SIM");
    auto sim = card->spec().id;
    device.removed_sim = sim;
    loose_cards_.insert_or_assign(sim, std::move(*card));
    return ok({{"modem", device.spec.id}, {"sim", sim}});
}

std::string Emulator::sim_insert(const ControlRequest& request, Device& device)
{
    bool occupied = device.model ? device.model->card() != nullptr : device.card.has_value();
    if (occupied)
        return control_error(device.spec.id + " already has a SIM");
    auto sim = request.sim ? request.sim : device.removed_sim;
    if (!sim && loose_cards_.size() == 1)
        sim = loose_cards_.begin()->first;
    if (!sim)
        return control_error("give \"sim\": which SIM to insert");
    auto found = loose_cards_.find(*sim);
    if (found == loose_cards_.end())
        return control_error(fmt::format("SIM \"{}\" is not free (unknown, or in a modem)", *sim));
    auto card = std::move(found->second);
    loose_cards_.erase(found);
    if (device.model) {
        device.model->insert_sim(std::move(card), Clock::now());
        kick(device);
    } else {
        device.card = std::move(card);
    }
    return ok({{"modem", device.spec.id}, {"sim", *sim}});
}

// The network ends the modem's bearers: WDS clients get a Packet Service Status indication
// "disconnected" with the cause, AT+CGACT? shows the contexts inactive.
std::string Emulator::bearer_drop(const ControlRequest& request, Device& device)
{
    if (!device.model)
        return control_error(device.spec.id + " is not plugged");
    auto now = Clock::now();
    auto dropped = device.model->drop_bearers(request.cause, now);
    deliver(device, device.model->advance(now));
    kick(device);
    return ok({{"modem", device.spec.id}, {"bearers", dropped}});
}

// What wins over the signal's link (docs/link-model.md); an empty request clears it.
std::string Emulator::set_link(const ControlRequest& request, Device& device)
{
    device.link = request.link;
    if (!device.data_plane)
        return ok({{"modem", device.spec.id}, {"data_path", false}});
    device.data_plane->set_link(device.link);
    const auto& link = device.data_plane->link();
    return ok({{"modem", device.spec.id}, {"data_path", true},
        {"downlink_kbit", link.downlink_bit_rate / 1000}, {"uplink_kbit", link.uplink_bit_rate / 1000},
        {"delay_ms", std::chrono::duration_cast<Duration>(link.delay).count()},
        {"jitter_ms", std::chrono::duration_cast<Duration>(link.jitter).count()},
        {"loss_percent", link.loss_percent}});
}

std::string Emulator::port_action(const ControlRequest& request, Device& device)
{
    if (!device.model)
        return control_error(device.spec.id + " is not plugged");
    auto found = std::find_if(device.ports.begin(), device.ports.end(),
        [&](const auto& port) { return port && port->name == request.port; });
    if (found == device.ports.end())
        return control_error(fmt::format("{} has no port \"{}\"", device.spec.id, request.port));
    auto& port = *found;
    if (request.command == ControlCommand::Garbage)
        write(device, port, request.bytes, Delivery::EvenIfHung);
    else
        port->hung = request.command == ControlCommand::Hang;
    return ok({{"modem", device.spec.id}, {"port", port->name}});
}

std::string Emulator::status() const
{
    json::array modems;
    for (const auto& device : devices_) {
        json::object ports;
        for (std::size_t index = 0; index < device->ports.size(); ++index)
            if (const auto& port = device->ports[index])
                ports[port->name] = device->layout.pty_paths[index];
        if (device->at_socket)
            ports["at.sock"] = at_socket_path(*device).string();
        const auto* modem = device->model.get();
        const auto* card = modem ? modem->card() : (device->card ? &*device->card : nullptr);
        json::object entry {
            {"id", device->spec.id},
            {"model", device->spec.model},
            {"plugged", modem != nullptr},
            {"booted", modem != nullptr && modem->booted()},
            {"usb_path", device->spec.usb.path},
            {"port_power", to_string(device->port_power)},
            {"ports", std::move(ports)},
            {"sim", card ? json::value(card->spec().id) : json::value(nullptr)},
        };
        if (modem != nullptr) {
            entry["sim_state"] = to_string(modem->sim_state());
            entry["registration"] = to_string(modem->registration());
            entry["functionality"] = to_string(modem->functionality());
            entry["bearers"] = bearers(*modem);
            entry["at_connections"] = device->connections.size();
        }
        modems.push_back(std::move(entry));
    }
    return ok({{"modems", std::move(modems)}});
}

std::string Emulator::counters(const Device& device) const
{
    const auto* modem = device.model.get();
    const auto& counters = modem ? modem->counters() : device.surroundings.counters;
    json::object by_name, qmi_by_name;
    for (const auto& [name, count] : counters.commands_by_name)
        by_name[name] = count;
    for (const auto& [name, count] : counters.qmi_requests_by_name)
        qmi_by_name[name] = count;
    json::object reply {
        {"modem", device.spec.id},
        {"pin_attempts", counters.pin_attempts},
        {"puk_attempts", counters.puk_attempts},
        {"commands", counters.commands},
        {"commands_by_name", std::move(by_name)},
        {"qmi_requests", counters.qmi_requests},
        {"qmi_requests_by_name", std::move(qmi_by_name)},
        {"bytes_in", device.bytes_in},
        {"bytes_out", device.bytes_out},
        {"port_switched_off", device.port_switched_off},
    };
    if (device.last_port_off)
        reply["last_port_off_ms"] = device.last_port_off->count();
    const auto* card = modem ? modem->card() : (device.card ? &*device.card : nullptr);
    if (card != nullptr) {
        reply["pin_retries_left"] = card->spec().pin_retries;
        reply["puk_retries_left"] = card->spec().puk_retries;
    }
    if (device.data_plane) {
        auto direction = [](const DirectionCounters& counters) {
            return json::object {{"packets", counters.packets}, {"bytes", counters.bytes},
                {"dropped_bearer_down", counters.dropped_bearer_down}, {"dropped_loss", counters.dropped_loss},
                {"dropped_queue", counters.dropped_queue}, {"dropped_write", counters.dropped_write}};
        };
        auto carried = device.data_plane->counters();
        reply["data_path"] = json::object {{"downlink", direction(carried.downlink)}, {"uplink", direction(carried.uplink)}};
    }
    return ok(std::move(reply));
}

} // namespace uplink::sim
