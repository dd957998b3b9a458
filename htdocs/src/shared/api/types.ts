// Types of the objects the REST API and the relay exchange (see API.md).

export type Id = number;

export type Role = 'owner' | 'admin' | 'moderator' | 'member';
export const ROLES: Role[] = ['owner', 'admin', 'moderator', 'member'];
export type UserStatus = 'Online' | 'Busy' | 'Sleeping' | 'Offline';
export const USER_STATUSES: UserStatus[] = ['Online', 'Busy', 'Sleeping', 'Offline'];
export type Gender = 'Male' | 'Female' | 'Attack Helicopter' | 'Undefined';
export const GENDERS: Gender[] = ['Male', 'Female', 'Attack Helicopter', 'Undefined'];
export type Category = 'Gaming' | 'Music' | 'Education' | 'Science' | 'Entertainment' | 'Undefined';
export const CATEGORIES: Category[] = ['Gaming', 'Music', 'Education', 'Science', 'Entertainment', 'Undefined'];

export interface Profile {
  full_name: string;
  bio: string;
  gender: Gender;
  status: UserStatus;
  default_status: UserStatus;
  icon_url: string | null;
  wallpaper_url: string | null;
  date_joined: string;
  last_seen: string | null;
}

export interface User {
  id: Id;
  username: string;
  email?: string | null;
  online?: boolean;
  profile: Profile;
}

export interface Page<T> {
  items: T[];
  has_more: boolean;
}

export interface GroupSummary {
  id: Id;
  name: string;
  icon_url: string | null;
  my_role: Role;
  has_unread: boolean;
  unread_count: number;
}

export interface RoomSummary {
  id: Id;
  name: string;
  description: string;
  unread_count: number;
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

export interface Member {
  user: User;
  role: Role;
  online: boolean;
}

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

export interface MessageSender {
  id: Id;
  username: string;
  full_name: string;
  icon_url: string | null;
}

export interface Message {
  id: Id;
  room_id: Id;
  sender: MessageSender;
  text: string;
  reply_to: { id: Id; sender_id: Id; text: string } | null;
  created_at: string;
  edited_at: string | null;
  nonce: string | null;
}

export interface SearchHit extends Message {
  snippet: string;
  group_id?: Id;
}

export interface Providers {
  password: boolean;
  google: boolean;
  github: boolean;
}
