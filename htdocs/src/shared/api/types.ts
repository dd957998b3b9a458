// Types of the objects the REST API and the relay exchange. The
// enumerations, user, profile, message, group summary and member are the
// generated ones (schema.gen.ts, from the API reference served at
// /api/openapi.json); the enumeration lists are checked against them by
// the compiler. The interfaces still written here are next in line: their
// schemas in fcgi-apps/groups/openapi.yaml do not yet say which fields are
// always present.
import type { components } from './schema.gen';

type Schemas = components['schemas'];

export type Id = number;

/** Every value of the union T: the compiler refuses a list that misses one
 * (so a value added to the API's enum must be added here too). */
function allValues<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : never)): T[] => [...list];
}

export type Role = Schemas['Role'];
export const ROLES = allValues<Role>()(['owner', 'admin', 'moderator', 'member']);
export type UserStatus = Schemas['Status'];
export const USER_STATUSES = allValues<UserStatus>()(['Online', 'Busy', 'Sleeping', 'Offline']);
export type Gender = Schemas['Gender'];
export const GENDERS = allValues<Gender>()(['Male', 'Female', 'Non-binary', 'Other', 'Prefer not to say']);
export type Category = Schemas['Category'];
export const CATEGORIES = allValues<Category>()(['Gaming', 'Music', 'Education', 'Science', 'Entertainment', 'Undefined']);

export type Profile = Schemas['Profile'];

/** A user as others see it; `email` and `email_verified` only on the
 * caller's own (`Me`), `online` where the answer carries presence. */
export type User = Schemas['User'] & { email?: string | null; email_verified?: boolean; online?: boolean };

export interface Page<T> {
  items: T[];
  has_more: boolean;
}

export type GroupSummary = Schemas['GroupSummary'];

export interface RoomSummary {
  id: Id;
  name: string;
  description: string;
  unread_count: number;
  /** The caller's mentions after their read marker (GET /groups/{id}). */
  mention_count?: number;
  last_message_id: Id | null;
  last_read_id: Id | null;
  topic_id?: Id;
}

export interface Topic {
  id: Id;
  name: string;
  rooms: RoomSummary[];
  group_id?: Id;
}

export interface GroupDetail {
  id: Id;
  name: string;
  description: string;
  category: Category;
  is_public: boolean;
  icon_url: string | null;
  wallpaper_url: string | null;
  my_role: Role;
  /** Every member may use @here and @everyone (otherwise moderators and up). */
  everyone_mentions?: boolean;
  member_count: number;
  online_count: number;
  topics: Topic[];
}

export interface PublicGroup {
  id: Id;
  name: string;
  description: string;
  category: Category;
  icon_url: string | null;
  wallpaper_url: string | null;
  member_count: number;
  online_count: number;
}

/** `online` comes from Redis presence (members.c adds it). */
export type Member = Schemas['Member'];

export interface Invite {
  code: string;
  expires_at: string | null;
  max_uses: number | null;
  uses?: number;
  created_by?: Id | User;
}

export interface InvitePreview {
  group: { id: Id; name: string; icon_url: string | null; member_count: number };
}

export type Message = Schemas['Message'];
export type MessageSender = NonNullable<Message['sender']>;

/** Who to show for a message whose sender's account is gone (the API
 * sends `sender: null` then). */
export const DELETED_SENDER: MessageSender = { id: 0, username: 'deleted', full_name: 'Deleted account', icon_url: null };

export function senderOf(m: Pick<Message, 'sender'>): MessageSender {
  return m.sender ?? DELETED_SENDER;
}

export interface SearchHit extends Message {
  snippet: string;
  group_id?: Id;
  room_name?: string;
  group_name?: string;
}

export interface Providers {
  password: boolean;
  google: boolean;
  github: boolean;
  /** "Forgot password" by e-mail is set up on the server. */
  password_reset?: boolean;
  /** Addresses are verified by a mailed link (EMAIL_VERIFY=1). */
  email_verify?: boolean;
}
