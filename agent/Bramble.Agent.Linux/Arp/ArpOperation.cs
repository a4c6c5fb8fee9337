namespace Bramble.Agent.Linux.Arp;

/// <summary>The ARP opcode (RFC 826); other opcodes (RARP, InARP) are not ARP for IPv4 and are rejected.</summary>
public enum ArpOperation
{
    Request = 1,
    Reply = 2,
}
