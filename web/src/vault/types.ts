export interface User {
  id: number
  email: string | null
  username: string | null
  role: 'user' | 'admin'
}

export interface OwnSecret {
  secret_id: number
  name: string
  encrypted_data: string
  owner_id: number
  permission: 'owner' | 'read-only' | 'read-write'
  updated_at: string
}

export interface SharedSecret {
  secret_id: number
  name: string
  owner_id: number
  permission: 'read-only' | 'read-write'
}

export interface Group {
  id: number
  name: string
  creator_id: number
  created_at: string
}
