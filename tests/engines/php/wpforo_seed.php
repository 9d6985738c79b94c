<?php
/*
 * forumcrawl test bed for WordPress + wpForo (run with php-cli: php wpforo_seed.php SITE_DIR BASE_URL STEP).
 *
 * STEP "install": wordpress_seed.php's (WordPress installed, wpForo in the active plugins).
 * STEP "seed": loading WordPress lets wpForo run its own activation (wpforo_activation(): its tables, its
 *   "Forum" page with the [wpforo] shortcode at /community/, its default usergroups, menus, a default
 *   category and forum) as on a site's first request after activation. Reads a JSON spec on stdin; its
 *   topic options (topics and posts a page) through wpforo_update_option as its settings screen saves them;
 *   users with wp_insert_user (wpForo's user_register hook makes their profiles); logged in as the
 *   administrator (a moderator may post as another member), a category and two forums with
 *   WPF()->forum->add, every topic with WPF()->topic->add and every reply with WPF()->post->add, each at
 *   its corpus time ("created") and by its author ("userid"). A quoting reply opens with the quote its
 *   editor's Quote button writes: [quote data-userid=".." data-postid=".."]the quoted post[/quote]. Then the
 *   blog post, the main menu, and the ground truth read back from the posts table as one JSON line.
 */
define('FC_PLUGIN', 'wpforo/wpforo.php');
define('FC_TITLE', 'wpForo 测试站');
require __DIR__ . '/wordpress_seed.php';
if (!function_exists('WPF') || !WPF()->is_installed() || !WPF()->board->get_current('pageid')) {
    fwrite(STDERR, "wpForo is not loaded or made no forum page\n");
    exit(2);
}
wpforo_update_option('topics', array_merge(WPF()->settings->topics, $spec['options']['topics']));
wpforo_update_option('forums', array_merge(WPF()->settings->forums, $spec['options']['forums']));

$uids = fc_users($spec['users']);
WPF()->member->synchronize_users(100);
wp_set_current_user(1);
WPF()->member->init_current_user();
WPF()->member->clear_db_cache();
if (!wpforo_current_user_is('admin')) {
    fwrite(STDERR, "the administrator is no wpForo admin\n");
    exit(2);
}
$category = fc_check(WPF()->forum->add(array('title' => 'Community', 'parentid' => 0, 'is_cat' => 1,
    'order' => 0, 'layout' => 1)), 'forum->add(category)');
$forum_ids = array();
foreach ($spec['boards'] as $order => $board) {
    $forum = fc_check(WPF()->forum->add(array('title' => $board['name'], 'description' => $board['description'],
        'parentid' => $category, 'order' => $order + 1)), "forum->add({$board['name']})");
    $forum_ids[] = $forum;
    foreach ($board['threads'] as $thread) {
        $ids = array();
        foreach ($thread['posts'] as $i => $post) {
            $body = '<p>' . $post['text'] . '</p>';
            if (isset($post['quotes'])) {
                $quoted = WPF()->post->get_post($ids[$post['quotes']], false);
                $body = '[quote data-userid="' . $quoted['userid'] . '" data-postid="' . $quoted['postid'] . '"]'
                    . $quoted['body'] . '[/quote]' . $body;
            }
            $args = array('forumid' => $forum, 'title' => $thread['title'], 'body' => $body,
                'userid' => $uids[$post['author']], 'created' => fc_date($post['time']));
            if ($i === 0) {
                $new = WPF()->topic->add($args);
                $topic = fc_check($new, 'topic->add: ' . json_encode(WPF()->notice));
                $pid = fc_check(WPF()->topic->get_topic($topic, false)['first_postid'], 'topic first post');
            } else {
                $args['topicid'] = $topic;
                unset($args['title']);
                $pid = fc_check(WPF()->post->add($args), 'post->add: ' . json_encode(WPF()->notice));
            }
            $ids[] = $pid;
        }
    }
}
wpforo_clean_cache();

$post_id = fc_blog($spec['blog']);
$forum_page = wpforo_home_url();
fc_menu('Forum', $forum_page);
flush_rewrite_rules(false);

// The ground truth, from the posts table: every topic with its posts in the order wpForo shows them
// (the extended layout: by creation time, then id).
$tables = WPF()->tables;
$rows = WPF()->db->get_results("SELECT p.postid, p.topicid, p.created, p.body, u.display_name, f.title AS board
    FROM {$tables->posts} p JOIN {$tables->forums} f ON f.forumid = p.forumid
    JOIN " . WPF()->db->users . " u ON u.ID = p.userid ORDER BY p.topicid, p.created, p.postid", ARRAY_A);
$topics = array();
foreach ($rows as $r) {
    $tid = $r['topicid'];
    if (!isset($topics[$tid])) {
        $topics[$tid] = array('tid' => (int) $tid, 'title' => wpforo_topic($tid, 'title'), 'board' => $r['board'],
            'url' => WPF()->topic->get_url($tid), 'posts' => array());
    }
    $topics[$tid]['posts'][] = array('pid' => (int) $r['postid'], 'author' => $r['display_name'],
        'date_gmt' => $r['created'], 'content' => $r['body']);
}
$boards = array();
foreach ($forum_ids as $id) {
    $boards[] = WPF()->forum->get_forum_url($id);
}
echo json_encode(array('threads' => array_values($topics), 'forum_url' => $forum_page, 'boards' => $boards,
    'blog_url' => get_permalink($post_id), 'comments' => fc_comments()), JSON_UNESCAPED_UNICODE) . "\n";
