/** Message names are `<module>.<Name>`: the prefix says which module owns the message. */
const MESSAGE_NAME = /^([a-z][a-z0-9-]*)\.([A-Z][A-Za-z0-9]*)$/;

export function ownerOf(messageType: string): string {
  const match = MESSAGE_NAME.exec(messageType);
  if (!match) {
    throw new TypeError(`"${messageType}" is not a message name of the form <module>.<Name> (e.g. users.ProfileUpdated)`);
  }
  return match[1]!;
}
